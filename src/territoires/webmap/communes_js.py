"""The browser side of the national commune view: every commune drawn on one canvas.

``terrCommunes(map, o)`` adds a Leaflet layer (an ``L.Canvas`` renderer of its own, so Leaflet
places it, pads it and scales it during zoom animations) that draws all communes from the shared
geometry file ``o.u`` (:func:`territoires.webmap.communes.commune_geometry`): an SVG path per
commune (its ``Path2D`` made when the pointer is over it, for picking), one ``Path2D`` per class for
drawing (a handful of fills per redraw, on ``moveend`` and ``zoomend`` only: panning moves the drawn
canvas, it never redraws). Below zoom 8, metropolitan France is drawn once per zoom level into an
image kept aside, which each redraw after a pan copies (a pan ends without a freeze); the overseas
communes (codes 97…) are drawn directly. Coordinates come as SVG path data in integer Web Mercator pixels at zoom 11,
relative to an origin (:func:`territoires.encode.svg_paths`): a class's ``Path2D`` is made in one call,
and a redraw is one ``transform``. The communes' bounding boxes, for picking, are read once the map
has drawn, when the browser is idle. Hovering or clicking
a commune names it (name and code, escaped by the server), with its covered share; the hovered
commune is outlined. When the canvas has drawn, the map's document says so (``data-terr-ready``
through ``terrReady``, and ``data-terr-communes``: the number of communes drawn). The renderer holds no
vector layer: its own path updates and redraws (which clear the canvas after a view reset) are off.
"""

from __future__ import annotations

COMMUNES_JS = """
function terrMerc(lon,lat,z){var w=256*Math.pow(2,z);return[w*(lon/360+0.5),
w*(0.5-Math.log(Math.tan(Math.PI/4+lat*Math.PI/360))/(2*Math.PI))];}
function terrUnmerc(x,y,z){var w=256*Math.pow(2,z);return[Math.atan(Math.sinh(Math.PI*(1-2*y/w)))*180/Math.PI,
x/w*360-180];}
function terrRings(p){var out=[],re=/M(-?\\d+) ?(-?\\d+)l([^z]*)z/g,m;while((m=re.exec(p))){
var x=+m[1],y=+m[2],r=[[x,y]],d=m[3].match(/-?\\d+/g)||[];
for(var i=0;i+1<d.length;i+=2){x+=+d[i];y+=+d[i+1];r.push([x,y]);}out.push(r);}return out;}
function terrRle(r,n){var o=new Array(n),j=0;for(var i=0;i<r.length;i+=2){
for(var c=0;c<r[i+1]&&j<n;c++){o[j++]=r[i];}}return o;}
function terrPct(v){if(v<0){return "inconnue";}if(v===0||v===1000){return (v/10)+"\\u00a0%";}
return (v/10).toFixed(1).replace(".",",")+"\\u00a0%";}
var TerrCommunes=L.Canvas.extend({
initialize:function(o){L.Canvas.prototype.initialize.call(this,{padding:0.15});this._o=o;this._d=null;},
onAdd:function(map){L.Canvas.prototype.onAdd.call(this,map);var s=this,w=window;
w.__terrPending=(w.__terrPending||0)+1;
terrGeo(this._o.u).then(function(g){performance.mark("terr-communes-file");s._build(g);
performance.mark("terr-communes-built");s._paint();}).catch(function(e){
console.warn("Territoires : contours des communes non chargés ("+e.message+")");s._fail();}).then(function(){
requestAnimationFrame(function(){requestAnimationFrame(function(){performance.mark("terr-communes-drawn");
w.__terrPending--;terrReady();(w.requestIdleCallback||setTimeout)(function(){s._boxes();});});});});
map.on("mousemove",this._hover,this);map.on("click",this._click,this);
map.getContainer().addEventListener("mouseleave",function(){s._leave();});},
onRemove:function(map){map.off("mousemove",this._hover,this);map.off("click",this._click,this);
this._leave();L.Canvas.prototype.onRemove.call(this,map);},
_update:function(){if(this._map._animatingZoom&&this._bounds){return;}
L.Canvas.prototype._update.call(this);this._paint();},
_updatePaths:function(){},_redraw:function(){this._redrawRequest=null;},
_build:function(g){var o=this._o,n=g.c.length;
if(n!==o.n){throw new Error("fichier de contours et valeurs désaccordés ("+n+" / "+o.n+")");}
var cls=terrRle(o.c,n),val=terrRle(o.v,n),C=o.col.map(function(){return [];}),F=o.col.map(function(){return [];});
for(var i=0;i<n;i++){var k=g.c[i].slice(0,2)==="97"?F:C;if(k[cls[i]]){k[cls[i]].push(g.p[i]);}}
var mk=function(a){return new Path2D(a.join(""));};
this._d={g:g,P:{},B:null,C:C.map(mk),F:F.map(mk),cls:cls,val:val,n:n,z:g.z,O:g.o,A:{}};
this._pick=document.createElement("canvas").getContext("2d");},
_boxes:function(){var d=this._d;if(!d||d.B){return;}var B=new Float32Array(4*d.n);
for(var i=0;i<d.n;i++){var x0=1e9,y0=1e9,x1=-1e9,y1=-1e9;terrRings(d.g.p[i]).forEach(function(r){
r.forEach(function(q){if(q[0]<x0){x0=q[0];}if(q[0]>x1){x1=q[0];}if(q[1]<y0){y0=q[1];}if(q[1]>y1){y1=q[1];}});});
B[4*i]=x0;B[4*i+1]=y0;B[4*i+2]=x1;B[4*i+3]=y1;}d.B=B;},
_fill:function(ctx,P,s,z,tx,ty){var col=this._o.col;ctx.save();ctx.transform(s,0,0,s,tx,ty);
for(var c=0;c<P.length;c++){ctx.fillStyle=col[c];ctx.fill(P[c]);}
if(z>=8){ctx.lineWidth=0.6/s;ctx.strokeStyle="#ffffff";for(c=0;c<P.length;c++){ctx.stroke(P[c]);}}ctx.restore();},
_atlas:function(z,s){var d=this._d,a=d.A[z];if(a){return a;}
var nw=terrMerc(-5.6,51.2,z),se=terrMerc(9.7,41.2,z),W=Math.ceil(se[0]-nw[0]),H=Math.ceil(se[1]-nw[1]);
var cv=document.createElement("canvas");cv.width=W;cv.height=H;
this._fill(cv.getContext("2d"),d.C,s,z,d.O[0]*s-nw[0],d.O[1]*s-nw[1]);
d.A={};d.A[z]={c:cv,x:nw[0],y:nw[1]};return d.A[z];},
_paint:function(){var d=this._d,ctx=this._ctx,m=this._map;if(!d||!ctx||!m){return;}
var z=m.getZoom(),s=Math.pow(2,z-d.z),po=m.getPixelOrigin(),tx=d.O[0]*s-po.x,ty=d.O[1]*s-po.y;
if(z<8){var a=this._atlas(z,s);ctx.drawImage(a.c,a.x-po.x,a.y-po.y);}else{this._fill(ctx,d.C,s,z,tx,ty);}
this._fill(ctx,d.F,s,z,tx,ty);var h=document.documentElement;
h.setAttribute("data-terr-communes",String(d.n));h.setAttribute("data-terr-paints",
String(1+(+h.getAttribute("data-terr-paints")||0)));},
_fail:function(){var c=L.control({position:"topright"});c.onAdd=function(){
var e=L.DomUtil.create("div","terr-legend");e.setAttribute("role","alert");
e.textContent="Les contours des communes n'ont pas pu être chargés : rechargez la page.";return e;};
c.addTo(this._map);},
_at:function(ll){var d=this._d;if(!d){return -1;}this._boxes();var m=terrMerc(ll.lng,ll.lat,d.z),
X=m[0]-d.O[0],Y=m[1]-d.O[1],B=d.B;for(var i=0;i<d.n;i++){
if(X>=B[4*i]&&X<=B[4*i+2]&&Y>=B[4*i+1]&&Y<=B[4*i+3]&&
this._pick.isPointInPath(d.P[i]||(d.P[i]=new Path2D(d.g.p[i])),X,Y)){return i;}}return -1;},
_text:function(i){var d=this._d,g=d.g;return "<b>"+g.n[i]+"</b> ("+g.c[i]+")<br>"+this._o.label+" : "+
terrPct(d.val[i]);},
_hover:function(e){var i=this._at(e.latlng),m=this._map;if(i<0){this._leave();return;}
if(!this._tip){this._tip=L.tooltip({direction:"top",offset:[0,-6],className:"terr-commune-tip"});}
this._tip.setContent(this._text(i));m.openTooltip(this._tip,e.latlng);
if(i!==this._hi){this._hi=i;this._outline(i);}},
_click:function(e){var i=this._at(e.latlng);if(i<0){return;}
L.popup({maxWidth:320}).setLatLng(e.latlng).setContent(this._text(i)).openOn(this._map);},
_leave:function(){if(this._tip&&this._map){this._map.closeTooltip(this._tip);}
if(this._hl){this._hl.remove();this._hl=null;}this._hi=-1;},
_outline:function(i){var d=this._d;if(this._hl){this._hl.remove();}
this._hl=L.polygon(terrRings(d.g.p[i]).map(function(r){return r.map(function(q){
return terrUnmerc(q[0]+d.O[0],q[1]+d.O[1],d.z);});}),
{interactive:false,fill:false,color:"#d7301f",weight:2.5}).addTo(this._map);}
});
function terrCommunes(map,o){return new TerrCommunes(o).addTo(map);}
"""
