/* Open Cyber's widget renderer: draws the ipyleaflet maps embedded in a page as widget state,
   with only the widget classes the pages use (built by build.mjs with esbuild from the pinned npm
   packages into assets/widgets.js; replaces the Jupyter widgets HTML manager's embed-amd.js and
   require.js, most of which is Font Awesome, Lumino panels and the other controls).

   A model whose class is not here fails loudly (console.error names it), so a notebook that starts
   using another widget is noticed by the browser tests, which fail on console errors. */
import * as base from "@jupyter-widgets/base";
import { ManagerBase } from "@jupyter-widgets/base-manager";
import { HTMLModel, HTMLStyleModel, HTMLView } from "@jupyter-widgets/controls/lib/widget_string";
import { MessageLoop } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import L from "leaflet";
import { LeafletMapModel, LeafletMapStyleModel, LeafletMapView } from "jupyter-leaflet/lib/Map";
import { LeafletGeoJSONModel, LeafletGeoJSONView } from "jupyter-leaflet/lib/layers/GeoJSON";
import { LeafletTileLayerModel, LeafletTileLayerView } from "jupyter-leaflet/lib/layers/TileLayer";
import { LeafletWidgetControlModel, LeafletWidgetControlView } from "jupyter-leaflet/lib/controls/WidgetControl";
import { LeafletZoomControlModel, LeafletZoomControlView } from "jupyter-leaflet/lib/controls/ZoomControl";
import { LeafletAttributionControlModel, LeafletAttributionControlView } from "jupyter-leaflet/lib/controls/AttributionControl";
import { LeafletLayersControlModel, LeafletLayersControlView } from "jupyter-leaflet/lib/controls/LayersControl";
import "@lumino/widgets/style/widget.css";
import "leaflet/dist/leaflet.css";
import "jupyter-leaflet/css/jupyter-leaflet.css";
import "./widgets.css";

const MODULES = {
  "@jupyter-widgets/base": {
    LayoutModel: base.LayoutModel, LayoutView: base.LayoutView, StyleModel: base.StyleModel, StyleView: base.StyleView,
  },
  "@jupyter-widgets/controls": { HTMLModel, HTMLStyleModel, HTMLView },
  "jupyter-leaflet": {
    LeafletMapModel, LeafletMapStyleModel, LeafletMapView,
    LeafletGeoJSONModel, LeafletGeoJSONView,
    LeafletTileLayerModel, LeafletTileLayerView,
    LeafletWidgetControlModel, LeafletWidgetControlView,
    LeafletZoomControlModel, LeafletZoomControlView,
    LeafletAttributionControlModel, LeafletAttributionControlView,
    LeafletLayersControlModel, LeafletLayersControlView,
  },
};

class Manager extends ManagerBase {
  constructor() {
    super();
    this.views = new Set();
    window.addEventListener("resize", () => {
      this.views.forEach((v) => MessageLoop.postMessage(v.luminoWidget, Widget.ResizeMessage.UnknownSize));
    });
  }
  async display_view(view, el) {
    const v = await view;
    Widget.attach(v.luminoWidget, el);
    this.views.add(v);
    v.once("remove", () => this.views.delete(v));
  }
  _get_comm_info() { return Promise.resolve({}); }
  _create_comm() { return Promise.resolve({ on_close() {}, on_msg() {}, close() {} }); }
  loadClass(className, moduleName, moduleVersion) {
    const cls = (MODULES[moduleName] || {})[className];
    if (cls) { return Promise.resolve(cls); }
    const msg = `Open Cyber widgets: no class ${className} of ${moduleName}@${moduleVersion} in assets/widgets.js (add it to src/opencyber/site/widgets/entry.js)`;
    console.error(msg);
    return Promise.reject(new Error(msg));
  }
}

async function render(root) {
  const tags = root.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]');
  for (const tag of Array.from(tags)) {
    const manager = new Manager();
    const models = await manager.set_state(JSON.parse(tag.textContent));
    const views = root.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
    await Promise.all(Array.from(views).map(async (viewTag) => {
      const model = models.find((m) => m.model_id === JSON.parse(viewTag.textContent).model_id);
      if (model === undefined || viewTag.parentElement === null) { return; }
      const el = document.createElement("div");
      el.className = "widget-subarea";
      viewTag.parentElement.insertBefore(el, viewTag);
      await manager.display_view(manager.create_view(model), el);
    }));
  }
}

window.L = L;
if (window.OpenCyber && window.OpenCyber.leaflet) { window.OpenCyber.leaflet(L); }  // tooltips, fitting (opencyber.js)
render(document).catch((e) => console.error("Open Cyber widgets: the maps could not be drawn:", e));
