// The 1-inch photo crop guide: the chosen picture is shown in a 5:7 frame (25 × 35 mm) with
// an oval for the head; it can be dragged and zoomed, and the cropped 590 × 826 JPEG is what
// is uploaded. Without JavaScript the file goes up as chosen and the server checks it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-photo-crop]");
  if (!form) { return; }
  var input = form.querySelector("input[type=file]");
  var box = form.querySelector("[data-crop]");
  var canvas = form.querySelector("[data-crop-canvas]");
  var zoom = form.querySelector("[data-crop-zoom]");
  var context = canvas.getContext("2d");
  var W = canvas.width, H = canvas.height;
  var picture = null, cover = 1, shown = 1, x = 0, y = 0, dragging = null;

  function scale() { return cover * parseFloat(zoom.value); }

  function clamp() {
    var s = scale();
    x = Math.min(0, Math.max(W - picture.width * s, x));
    y = Math.min(0, Math.max(H - picture.height * s, y));
  }

  function paint(target, guides) {
    var ctx = target.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, W, H);
    var s = scale();
    ctx.drawImage(picture, x, y, picture.width * s, picture.height * s);
    if (!guides) { return; }
    ctx.strokeStyle = "rgba(0, 120, 215, 0.9)";
    ctx.lineWidth = 4;
    ctx.setLineDash([14, 10]);
    ctx.beginPath();
    ctx.ellipse(W / 2, H * 0.42, W * 0.3, H * 0.28, 0, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(0, H * 0.12); ctx.lineTo(W, H * 0.12);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  function draw() { if (picture) { clamp(); paint(canvas, true); } }

  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    picture = null;
    if (!file || !/^image\//.test(file.type)) { box.hidden = true; return; }
    var reader = new FileReader();  // a data: URL, which the CSP's img-src allows (blob: not)
    var image = new Image();
    image.onload = function () {
      picture = image;
      cover = Math.max(W / image.width, H / image.height);
      zoom.value = "1";
      shown = cover;
      x = (W - image.width * cover) / 2;
      y = (H - image.height * cover) / 2;
      box.hidden = false;
      draw();
    };
    image.onerror = function () { box.hidden = true; };
    reader.onload = function () { image.src = reader.result; };
    reader.readAsDataURL(file);
  });

  zoom.addEventListener("input", function () {
    if (!picture) { return; }
    var after = scale();
    // Zoom about the frame's centre.
    x = W / 2 - (W / 2 - x) * after / shown;
    y = H / 2 - (H / 2 - y) * after / shown;
    shown = after;
    draw();
  });

  canvas.addEventListener("pointerdown", function (event) {
    if (!picture) { return; }
    var ratio = W / canvas.getBoundingClientRect().width;
    dragging = { id: event.pointerId, x: event.clientX, y: event.clientY, ratio: ratio };
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!dragging || event.pointerId !== dragging.id) { return; }
    x += (event.clientX - dragging.x) * dragging.ratio;
    y += (event.clientY - dragging.y) * dragging.ratio;
    dragging.x = event.clientX;
    dragging.y = event.clientY;
    draw();
  });
  ["pointerup", "pointercancel"].forEach(function (name) {
    canvas.addEventListener(name, function () { dragging = null; });
  });

  form.addEventListener("submit", function (event) {
    if (!picture || typeof DataTransfer === "undefined") { return; }
    event.preventDefault();
    var output = document.createElement("canvas");
    output.width = W;
    output.height = H;
    paint(output, false);
    output.toBlob(function (blob) {
      var files = new DataTransfer();
      files.items.add(new File([blob], "photo.jpg", { type: "image/jpeg" }));
      input.files = files.files;
      picture = null;  // the next submit sends the cropped file as it is
      form.submit();
    }, "image/jpeg", 0.92);
  });
})();
