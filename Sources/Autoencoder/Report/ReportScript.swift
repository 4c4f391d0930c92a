/// The page's inline style and scripts. Plain JavaScript (no libraries: nothing may load),
/// written for any current browser.
enum ReportScript {
    /// The style sheet.
    static let style = #"""
    body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1240px; padding: 0 16px; color: #222; }
    h1 { font-size: 24px; } h2 { font-size: 18px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 28px; }
    table { border-collapse: collapse; } th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
    td.number { text-align: right; font-variant-numeric: tabular-nums; }
    table.facts th { font-weight: normal; color: #555; }
    img { max-width: 100%; image-rendering: pixelated; }
    .row { display: flex; flex-wrap: wrap; gap: 0 40px; align-items: flex-start; }
    .row > section { flex: 0 1 auto; min-width: 0; }
    #reconstructions { max-width: 560px; } #codes { max-width: 660px; } #explorer { max-width: 420px; }
    .scatter { position: relative; display: inline-block; }
    #scatter { width: 640px; height: 640px; border: 1px solid #ccc; background: #fff; cursor: crosshair; }
    #tooltip { position: absolute; pointer-events: none; background: #fff; border: 1px solid #888; padding: 4px; box-shadow: 0 2px 6px rgba(0,0,0,.25); }
    #tooltip canvas { image-rendering: pixelated; display: block; }
    #legend span { display: inline-block; margin-right: 12px; }
    #legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 50%; }
    .explorer { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
    #explorer-plane { width: 320px; height: 320px; border: 1px solid #ccc; cursor: crosshair; }
    #explorer-output { image-rendering: pixelated; border: 1px solid #ccc; }
    """#

    /// Runs first, in the head: records script errors, `console.error` calls and anything
    /// the Content-Security-Policy blocks into `#report-errors`, so a headless browser's
    /// dump of the page shows them.
    static let errorRecorder = #"""
    (function () {
      var pending = [];
      function record(message) {
        var box = document.getElementById('report-errors');
        if (box) { box.textContent += message + '\n'; box.hidden = false; } else { pending.push(message); }
      }
      window.reportError = record;
      window.flushReportErrors = function () { pending.splice(0).forEach(record); };
      window.addEventListener('error', function (event) { record('error: ' + event.message); });
      window.addEventListener('unhandledrejection', function (event) { record('unhandled rejection: ' + event.reason); });
      document.addEventListener('securitypolicyviolation', function (event) {
        record('blocked by the Content-Security-Policy: ' + event.blockedURI + ' (' + event.violatedDirective + ')');
      });
      var original = console.error;
      console.error = function () { record('console.error: ' + Array.prototype.join.call(arguments, ' ')); original.apply(console, arguments); };
    })();
    """#

    /// The page's script: the scatter, its hover, the latent explorer and the `#explore=x,y` hook.
    static let main = #"""
    (function () {
      'use strict';
      window.flushReportErrors();
      var data = JSON.parse(document.getElementById('report-data').textContent);

      function bytes(base64) {
        var text = atob(base64), out = new Uint8Array(text.length);
        for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
        return out;
      }
      // Float32 little-endian, whatever this machine's byte order.
      function floats(base64) {
        var raw = bytes(base64), view = new DataView(raw.buffer), out = new Float32Array(raw.length / 4);
        for (var i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
        return out;
      }
      // As the package's Activation (leaky ReLU's slope is Keras's 0.2, ELU's alpha 1).
      var activations = {
        linear: function (x) { return x; },
        sigmoid: function (x) { return 1 / (1 + Math.exp(-x)); },
        relu: function (x) { return x < 0 ? 0 : x; },
        leaky_relu: function (x) { return x < 0 ? 0.2 * x : x; },
        elu: function (x) { return x > 0 ? x : Math.exp(x) - 1; },
        tanh: function (x) { return Math.tanh(x); },
        softplus: function (x) { return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))); }
      };
      var palette = {};
      data.palette.forEach(function (entry) { palette[entry[0]] = entry[1]; });
      function colorOf(index) {
        var labels = data.points.labels;
        return labels ? (palette[labels[index]] || '#444') : '#1f77b4';
      }

      // Draws `values` (numbers, a sample in the model's layout) into `canvas`: an image of
      // `shape` [channels, height, width] scaled from [low, high], or a line plot.
      function drawValues(canvas, values, shape, low, high, zoom) {
        var g = canvas.getContext('2d');
        if (shape) {
          var channels = shape[0], h = shape[1], w = shape[2], plane = h * w;
          canvas.width = w; canvas.height = h;
          canvas.style.width = (w * zoom) + 'px'; canvas.style.height = (h * zoom) + 'px';
          var image = g.createImageData(w, h), scale = 255 / (high - low);
          for (var p = 0; p < plane; p++) {
            for (var c = 0; c < 3; c++) {
              var v = values[(channels === 3 ? c * plane : 0) + p];
              image.data[4 * p + c] = Math.max(0, Math.min(255, Math.round((v - low) * scale)));
            }
            image.data[4 * p + 3] = 255;
          }
          g.putImageData(image, 0, 0);
        } else {
          var width = 40 * zoom, height = 20 * zoom;
          canvas.width = width; canvas.height = height;
          canvas.style.width = width + 'px'; canvas.style.height = height + 'px';
          g.fillStyle = '#fff'; g.fillRect(0, 0, width, height);
          g.strokeStyle = '#1f77b4'; g.beginPath();
          for (var i = 0; i < values.length; i++) {
            var x = values.length === 1 ? width / 2 : i / (values.length - 1) * (width - 4) + 2;
            var y = height - 2 - (values[i] - low) / (high - low) * (height - 4);
            if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
          }
          g.stroke();
        }
      }

      // The embedded samples: one PNG of tiles, read back through a canvas.
      var sprite = null;
      function sampleValues(index) {
        var s = data.samples;
        if (!sprite || index >= s.count) return null;
        var left = (index % s.columns) * s.tileWidth, top = Math.floor(index / s.columns) * s.tileHeight;
        var plane = s.tileWidth * s.tileHeight, out = new Float32Array(plane * s.channels);
        var scale = (s.high - s.low) / 255;
        for (var y = 0; y < s.tileHeight; y++) {
          for (var x = 0; x < s.tileWidth; x++) {
            var at = 4 * ((top + y) * sprite.width + left + x);
            for (var c = 0; c < s.channels; c++) out[c * plane + y * s.tileWidth + x] = s.low + sprite.pixels[at + c] * scale;
          }
        }
        return out;
      }
      function sampleShape() {
        var s = data.samples;
        return s.kind === 'image' ? [s.channels, s.tileHeight, s.tileWidth] : null;
      }

      // The scatter: every finite point, then a grid of cells for the nearest-point lookup.
      var scatter = document.getElementById('scatter');
      var xy = floats(data.points.xy), count = data.points.count;
      var dpr = window.devicePixelRatio || 1, size = 640, margin = 40;
      var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      for (var i = 0; i < count; i++) {
        var px = xy[2 * i], py = xy[2 * i + 1];
        if (!isFinite(px) || !isFinite(py)) continue;
        x0 = Math.min(x0, px); x1 = Math.max(x1, px); y0 = Math.min(y0, py); y1 = Math.max(y1, py);
      }
      if (!(x1 > x0)) { x0 -= 0.5; x1 += 0.5; }
      if (!(y1 > y0)) { y0 -= 0.5; y1 += 0.5; }
      var padX = (x1 - x0) * 0.05, padY = (y1 - y0) * 0.05;
      x0 -= padX; x1 += padX; y0 -= padY; y1 += padY;
      function toScreen(x, y) {
        return [margin + (x - x0) / (x1 - x0) * (size - 2 * margin), size - margin - (y - y0) / (y1 - y0) * (size - 2 * margin)];
      }
      scatter.width = size * dpr; scatter.height = size * dpr;
      var g = scatter.getContext('2d');
      g.scale(dpr, dpr);
      g.fillStyle = '#fff'; g.fillRect(0, 0, size, size);
      g.strokeStyle = '#999'; g.strokeRect(margin, margin, size - 2 * margin, size - 2 * margin);
      g.fillStyle = '#333'; g.font = '11px sans-serif';
      g.textAlign = 'left'; g.fillText(x0.toPrecision(3), margin, size - margin + 14);
      g.textAlign = 'right'; g.fillText(x1.toPrecision(3), size - margin, size - margin + 14);
      g.fillText(y0.toPrecision(3), margin - 4, size - margin);
      g.fillText(y1.toPrecision(3), margin - 4, margin + 10);
      g.textAlign = 'center'; g.fillText(data.points.axes[0], size / 2, size - 12);
      g.save(); g.translate(12, size / 2); g.rotate(-Math.PI / 2); g.fillText(data.points.axes[1], 0, 0); g.restore();
      var cell = 12, cells = {}, screen = new Float32Array(2 * count), drawn = 0;
      g.globalAlpha = 0.6;
      for (i = 0; i < count; i++) {
        if (!isFinite(xy[2 * i]) || !isFinite(xy[2 * i + 1])) { screen[2 * i] = NaN; continue; }
        var s = toScreen(xy[2 * i], xy[2 * i + 1]);
        screen[2 * i] = s[0]; screen[2 * i + 1] = s[1];
        g.fillStyle = colorOf(i);
        g.beginPath(); g.arc(s[0], s[1], 2, 0, 2 * Math.PI); g.fill();
        var key = Math.floor(s[0] / cell) + ',' + Math.floor(s[1] / cell);
        (cells[key] || (cells[key] = [])).push(i);
        drawn++;
      }
      g.globalAlpha = 1;
      scatter.setAttribute('data-points', String(drawn));
      document.getElementById('point-count').textContent = String(drawn);
      var legend = document.getElementById('legend');
      data.palette.forEach(function (entry) {
        var item = document.createElement('span'), dot = document.createElement('i');
        dot.style.background = entry[1];
        item.appendChild(dot); item.appendChild(document.createTextNode(String(entry[0])));
        legend.appendChild(item);
      });

      function nearest(x, y, radius) {
        var best = -1, bestDistance = radius * radius;
        var cx = Math.floor(x / cell), cy = Math.floor(y / cell), reach = Math.ceil(radius / cell);
        for (var a = cx - reach; a <= cx + reach; a++) {
          for (var b = cy - reach; b <= cy + reach; b++) {
            var list = cells[a + ',' + b];
            if (!list) continue;
            for (var k = 0; k < list.length; k++) {
              var j = list[k], dx = screen[2 * j] - x, dy = screen[2 * j + 1] - y, d = dx * dx + dy * dy;
              if (d <= bestDistance) { bestDistance = d; best = j; }
            }
          }
        }
        return best;
      }
      var tooltip = document.getElementById('tooltip');
      var tooltipSample = document.getElementById('tooltip-sample'), tooltipText = document.getElementById('tooltip-text');
      scatter.addEventListener('mousemove', function (event) {
        var box = scatter.getBoundingClientRect();
        var x = (event.clientX - box.left) * size / box.width, y = (event.clientY - box.top) * size / box.height;
        var index = nearest(x, y, 10);
        if (index < 0) { tooltip.hidden = true; return; }
        var values = data.samples ? sampleValues(index) : null;
        tooltipSample.hidden = !values;
        if (values) drawValues(tooltipSample, values, sampleShape(), data.samples.low, data.samples.high, 3);
        var label = data.points.labels ? 'label ' + data.points.labels[index] + ', ' : '';
        tooltipText.textContent = label + 'sample ' + index + (values ? '' : ' (not embedded)');
        tooltip.hidden = false;
        tooltip.style.left = (screen[2 * index] + 12) + 'px';
        tooltip.style.top = (screen[2 * index + 1] + 12) + 'px';
      });
      scatter.addEventListener('mouseleave', function () { tooltip.hidden = true; });

      // The latent explorer: the decoder's forward pass, in double precision.
      var explorer = data.explorer;
      function decode(code) {
        var x = Float64Array.from(code);
        explorer.steps.forEach(function (step) {
          if (step.kind === 'dense') {
            var w = step.weights || (step.weights = floats(step.weight)), b = step.biases || (step.biases = floats(step.bias));
            var f = activations[step.activation], y = new Float64Array(step.out);
            for (var o = 0; o < step.out; o++) {
              var sum = b[o], row = o * step.in;
              for (var i = 0; i < step.in; i++) sum += w[row + i] * x[i];
              y[o] = f(sum);
            }
            x = y;
          } else if (step.kind === 'activation') {
            x = x.map(activations[step.activation]);
          }
        });
        return x;
      }
      if (explorer) {
        var plane = document.getElementById('explorer-plane'), output = document.getElementById('explorer-output');
        var codeText = document.getElementById('explorer-code');
        var low = explorer.range.low, high = explorer.range.high, side = 320;
        var shape = explorer.output.kind === 'image' ? explorer.output.shape : null;
        var outLow = data.samples ? data.samples.low : 0, outHigh = data.samples ? data.samples.high : 1;
        var pg = plane.getContext('2d');
        pg.fillStyle = '#fafafa'; pg.fillRect(0, 0, side, side);
        if (explorer.background) {
          pg.globalAlpha = 0.35;
          for (i = 0; i < count; i++) {
            var cx = (xy[2 * i] - low[0]) / (high[0] - low[0]) * side, cy = (1 - (xy[2 * i + 1] - low[1]) / (high[1] - low[1])) * side;
            if (!(cx >= 0 && cx <= side && cy >= 0 && cy <= side)) continue;
            pg.fillStyle = colorOf(i); pg.fillRect(cx - 1, cy - 1, 2, 2);
          }
          pg.globalAlpha = 1;
        }
        var show = function (code) {
          var values = decode(code);
          drawValues(output, values, shape, outLow, outHigh, shape ? Math.max(1, Math.floor(224 / shape[1])) : 6);
          codeText.textContent = 'code: (' + code[0].toPrecision(4) + ', ' + code[1].toPrecision(4) + ')';
          return values;
        };
        plane.addEventListener('mousemove', function (event) {
          var box = plane.getBoundingClientRect();
          var u = (event.clientX - box.left) / box.width, v = (event.clientY - box.top) / box.height;
          show([low[0] + u * (high[0] - low[0]), high[1] - v * (high[1] - low[1])]);
        });
        show([(low[0] + high[0]) / 2, (low[1] + high[1]) / 2]);
        // #explore=x,y: decode that code and write its values out, for checking the page.
        var match = /^#explore=([^,]+),([^,]+)$/.exec(location.hash);
        if (match) {
          var values = show([parseFloat(match[1]), parseFloat(match[2])]);
          var out = document.getElementById('explore-values');
          out.textContent = Array.prototype.map.call(values, function (v) { return v.toPrecision(9); }).join(' ');
        }
      }

      // The samples' PNG loads asynchronously; the page is ready once it has.
      function ready() { document.body.setAttribute('data-status', 'ready'); }
      if (data.samples) {
        var image = new Image();
        image.onload = function () {
          var canvas = document.createElement('canvas');
          canvas.width = image.width; canvas.height = image.height;
          var context = canvas.getContext('2d', { willReadFrequently: true });
          context.drawImage(image, 0, 0);
          sprite = { pixels: context.getImageData(0, 0, image.width, image.height).data, width: image.width };
          ready();
        };
        image.onerror = function () { window.reportError('The embedded samples could not be decoded.'); ready(); };
        image.src = data.samples.png;
      } else {
        ready();
      }
    })();
    """#
}
