// jupyter-leaflet's "./leaflet" module loads Leaflet with every plugin it supports (drawing,
// measuring, clustering, vector tiles, projections, ...); the maps here use none of them.
import L from "leaflet";
export default L;
