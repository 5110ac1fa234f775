/* The meetings map: Leaflet over the tile server named in MAP_TILE_URL.
   Reads its settings from the #meeting-map element and its points from the
   JSON in #meeting-map-points; without JavaScript the element stays empty
   and the lists and addresses beside it say everything. */
(function () {
  "use strict";
  var element = document.getElementById("meeting-map");
  var data = document.getElementById("meeting-map-points");
  if (!element || !data || typeof L === "undefined") {
    return;
  }
  var points = JSON.parse(data.textContent);
  if (!points.length) {
    element.hidden = true;
    return;
  }
  L.Icon.Default.imagePath = element.dataset.images;
  var map = L.map(element, { scrollWheelZoom: false });
  L.tileLayer(element.dataset.tiles, {
    maxZoom: 18,
    attribution: element.dataset.attribution,
  }).addTo(map);
  var bounds = [];
  points.forEach(function (point) {
    var marker = L.marker([point.lat, point.lon], { title: point.name, alt: point.name });
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.name;
    marker.bindPopup(link).addTo(map);
    bounds.push([point.lat, point.lon]);
  });
  if (bounds.length === 1) {
    map.setView(bounds[0], 14);
  } else {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
  }
  element.hidden = false;
})();
