/**
 * The report page's script: reads the chart specs (html/charts.ts) from the
 * page and draws them with the inlined Chart.js. Plain browser JavaScript,
 * kept as text so the page needs nothing but itself; the browser test runs it.
 */
export const CLIENT_JS = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#222';
  Chart.defaults.animation = false;

  // Diagonal hatching over the bars of datasets marked hatch: true.
  var hatch = {
    id: 'hatch',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      chart.data.datasets.forEach(function (ds, d) {
        var meta = chart.getDatasetMeta(d);
        if (!ds.hatch || meta.hidden) return;
        meta.data.forEach(function (el) {
          var p = el.getProps(['x', 'y', 'base', 'width'], true);
          var left = p.x - p.width / 2, top = Math.min(p.y, p.base), h = Math.abs(p.base - p.y);
          if (!(h >= 1 && p.width > 0)) return;
          ctx.save();
          ctx.beginPath(); ctx.rect(left, top, p.width, h); ctx.clip();
          ctx.strokeStyle = '#8C8C8C'; ctx.lineWidth = 1; ctx.beginPath();
          for (var o = -h; o < p.width; o += 7) { ctx.moveTo(left + o, top + h); ctx.lineTo(left + o + h, top); }
          ctx.stroke(); ctx.restore();
        });
      });
    }
  };

  // 95% confidence-interval whiskers on bars whose dataset carries ci.
  var whiskers = {
    id: 'whiskers',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, y = chart.scales.y;
      chart.data.datasets.forEach(function (ds, d) {
        var meta = chart.getDatasetMeta(d);
        if (!ds.ci || meta.hidden) return;
        meta.data.forEach(function (el, i) {
          var v = ds.data[i], ci = ds.ci[i];
          if (v === null || ci === null || !(ci > 0)) return;
          var x = el.getProps(['x'], true).x;
          var lo = y.getPixelForValue(Math.max(v - ci, y.min)), hi = y.getPixelForValue(v + ci);
          ctx.save(); ctx.strokeStyle = '#222'; ctx.lineWidth = 1.3; ctx.beginPath();
          ctx.moveTo(x, lo); ctx.lineTo(x, hi);
          ctx.moveTo(x - 4, lo); ctx.lineTo(x + 4, lo); ctx.moveTo(x - 4, hi); ctx.lineTo(x + 4, hi);
          ctx.stroke(); ctx.restore();
        });
      });
    }
  };

  // Warm-up shading and a labelled vertical line per fleet event.
  var markers = {
    id: 'markers',
    beforeDatasetsDraw: function (chart, args, opts) {
      if (!(opts.warmup > 0)) return;
      var a = chart.chartArea, end = Math.min(Math.max(chart.scales.x.getPixelForValue(opts.warmup), a.left), a.right);
      chart.ctx.save(); chart.ctx.fillStyle = 'rgba(0,0,0,0.07)';
      chart.ctx.fillRect(a.left, a.top, end - a.left, a.bottom - a.top); chart.ctx.restore();
    },
    afterDatasetsDraw: function (chart, args, opts) {
      var ctx = chart.ctx, a = chart.chartArea, rows = [], list = (opts.list || []).slice();
      if (opts.warmup > 0) list.unshift({ x: opts.warmup, label: 'warm-up end', solid: true });
      ctx.save(); ctx.font = '11px ' + Chart.defaults.font.family; ctx.textBaseline = 'top';
      list.forEach(function (m) {
        var px = chart.scales.x.getPixelForValue(m.x);
        if (px < a.left - 0.5 || px > a.right + 0.5) return;
        ctx.strokeStyle = '#333'; ctx.lineWidth = 1.2; ctx.setLineDash(m.solid ? [] : [5, 4]);
        ctx.beginPath(); ctx.moveTo(px, a.top); ctx.lineTo(px, a.bottom); ctx.stroke(); ctx.setLineDash([]);
        var w = ctx.measureText(m.label).width, left = px + 4 + w <= a.right ? px + 4 : px - 4 - w;
        var row = rows.findIndex(function (r) { return left > r + 6; });
        if (row === -1) row = rows.length;
        rows[row] = left + w;
        var top = a.top + 3 + row * 15;
        ctx.fillStyle = 'rgba(255,255,255,0.85)'; ctx.fillRect(left - 2, top - 2, w + 4, 14);
        ctx.fillStyle = '#333'; ctx.fillText(m.label, left, top);
      });
      ctx.restore();
    }
  };

  function axisTitle(text) { return { display: true, text: text, font: { size: 12 } }; }
  // Lines of at most n characters, broken at spaces (the subtitle wraps on a phone).
  function wrap(text, n) {
    var lines = [], line = '';
    text.split(' ').forEach(function (w) {
      if (line && (line + ' ' + w).length > n) { lines.push(line); line = w; } else { line = line ? line + ' ' + w : w; }
    });
    if (line) lines.push(line);
    return lines;
  }
  function common(spec, width) {
    return {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: {
        title: { display: true, text: spec.title, font: { size: 15, weight: 'bold' }, padding: { top: 4, bottom: 2 } },
        subtitle: { display: true, text: wrap(spec.subtitle, Math.max(30, Math.floor(width / 6.5))), font: { size: 12 }, color: '#444', padding: { bottom: 8 } },
        legend: { position: 'top', labels: { boxWidth: 16, font: { size: 12 } } }
      }
    };
  }

  function bar(spec, width) {
    var o = common(spec, width);
    o.scales = {
      x: { stacked: !!spec.stacked, ticks: { autoSkip: false, maxRotation: 50 } },
      y: { stacked: !!spec.stacked, type: spec.log ? 'logarithmic' : 'linear', beginAtZero: !spec.log, suggestedMax: spec.yMax, title: axisTitle(spec.yTitle) }
    };
    return {
      type: 'bar',
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d) {
          return { label: d.label, data: d.data, ci: d.ci, hatch: d.hatch, backgroundColor: d.colour,
                   borderColor: d.hatch ? '#8C8C8C' : d.colour, borderWidth: d.hatch ? 1 : 0 };
        })
      },
      options: o,
      plugins: [hatch, whiskers]
    };
  }

  function line(spec, width) {
    var o = common(spec, width);
    o.parsing = false; o.normalized = true;
    o.interaction = { mode: 'nearest', axis: 'x', intersect: false };
    o.scales = {
      x: { type: 'linear', min: 0, max: spec.xMax, title: axisTitle(spec.xTitle) },
      y: { type: 'linear', min: 0, suggestedMax: spec.yMax, title: axisTitle(spec.yTitle) }
    };
    o.plugins.markers = { list: spec.markers, warmup: spec.warmup };
    return {
      type: 'line',
      data: {
        datasets: spec.series.map(function (s) {
          return { label: s.label, borderColor: s.colour, backgroundColor: s.colour, borderDash: s.dash,
                   borderWidth: 1.5, pointRadius: 0, spanGaps: false,
                   data: s.y.map(function (v, i) { return { x: spec.x[i], y: v }; }) };
        })
      },
      options: o,
      plugins: [markers]
    };
  }

  var drawn = 0;
  data.charts.forEach(function (spec) {
    var canvas = document.getElementById(spec.id), width = canvas.parentNode.clientWidth;
    new Chart(canvas, spec.kind === 'bar' ? bar(spec, width) : line(spec, width));
    drawn++;
  });
  document.body.setAttribute('data-charts-drawn', String(drawn));
})();
`;
