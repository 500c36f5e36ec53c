/* VOST scene-graph viewer: the frame with its track boxes, the frame's
 * graph and the relation timeline, linked. Vanilla JavaScript, no network:
 * everything comes from window.VOST_VIEWER_DATA (data.js, written by
 * vost.visualization.html_viewer from video_graph.json and the frame
 * graphs; schemas vost.video_scene_graph/1 and vost.frame_scene_graph/1).
 */
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var GROUPS = ['attention', 'spatial', 'contacting'];
  var $ = function (id) { return document.getElementById(id); };

  function fail(message) {
    var box = $('error');
    box.textContent = message;
    box.hidden = false;
    document.body.setAttribute('data-error', '1');
  }

  var D = window.VOST_VIEWER_DATA;
  if (!D || D.format !== 'vost.html_viewer/1') {
    fail('data.js is missing or is not a VOST viewer data file: rebuild ' +
         'the viewer (video_demo.py --html, or tools/demo/make_viewer.py).');
    return;
  }
  var frames = D.frames, video = D.video;
  if (!frames.length) { fail('The video has no key frame.'); return; }
  var state = { pos: 0, track: null, thr: 0, untracked: true,
                groups: { attention: true, spatial: true, contacting: true },
                timer: null };
  var posOfFrame = {};
  frames.forEach(function (f, p) { posOfFrame[f.frame_index] = p; });
  var tracks = {};
  video.tracks.forEach(function (t) { tracks[t.track_id] = t; });

  function el(tag, attrs, parent) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function color(tid) {
    return tid === null || tid === undefined ? D.untracked_color : D.track_colors[tid];
  }
  function nodeName(n) {
    return (n.track_id !== null ? '#' + n.track_id : 'n' + n.id) + ' ' + n.label_name;
  }
  function f2(x) { return Number(x).toFixed(2); }

  // ---- tooltip ---------------------------------------------------------
  var tip = $('tooltip');
  function hover(target, text) {
    target.addEventListener('mousemove', function (ev) {
      tip.textContent = typeof text === 'function' ? text() : text;
      tip.hidden = false;
      tip.style.left = (ev.clientX + 12) + 'px';
      tip.style.top = (ev.clientY + 12) + 'px';
    });
    target.addEventListener('mouseleave', function () { tip.hidden = true; });
  }

  // ---- filters ---------------------------------------------------------
  function shownNodes(f) {
    return f.nodes.filter(function (n) {
      return n.score >= state.thr && (state.untracked || n.track_id !== null);
    });
  }
  // the edge's predicates of the checked groups, [[group, name, score]]
  function edgePredicates(e) {
    var out = [];
    if (state.groups.attention) out.push(['attention', e.attention.predicate, e.attention.score]);
    ['spatial', 'contacting'].forEach(function (g) {
      if (state.groups[g]) e[g].forEach(function (p) { out.push([g, p.predicate, p.score]); });
    });
    return out;
  }
  function shownEdges(f, ids) {
    return f.edges.filter(function (e) {
      return e.score >= state.thr && ids[e.subject] && ids[e.object] &&
        edgePredicates(e).length > 0;
    });
  }
  function selectedClass(tid) {
    if (state.track === null) return '';
    return tid === state.track ? ' selected' : ' dimmed';
  }

  // ---- the frame and its boxes -----------------------------------------
  var img = $('frame-img'), boxes = $('boxes');
  img.addEventListener('error', function () {
    fail('Cannot load the frame image ' + img.getAttribute('src') +
         ' (the viewer folder is incomplete: rebuild it).');
  });
  function drawBoxes(f, nodes) {
    var im = D.images[state.pos];
    if (img.getAttribute('src') !== im.src) img.setAttribute('src', im.src);
    boxes.setAttribute('viewBox', '0 0 ' + im.width + ' ' + im.height);
    clear(boxes);
    // the frame fills the panel's width (up to 65% of the window's height),
    // small frames scaled up; the labels keep 12 screen pixels
    var fit = Math.min($('video-view').clientWidth / im.width,
                       Math.max(200, 0.65 * window.innerHeight) / im.height);
    var dw = Math.max(1, Math.round(im.width * fit)), dh = Math.max(1, Math.round(im.height * fit));
    [$('stage'), img].forEach(function (e) { e.style.width = dw + 'px'; e.style.height = dh + 'px'; });
    var scale = im.width / dw, font = 12 * scale;
    nodes.forEach(function (n) {
      var b = n.bbox, c = color(n.track_id);
      var g = el('g', { 'class': 'box' + (n.track_id === null ? ' untracked' : '') +
                        selectedClass(n.track_id),
                        'data-node': n.id, 'data-track': n.track_id === null ? '' : n.track_id,
                        'data-bbox': b.join(',') }, boxes);
      el('rect', { 'class': 'frame', x: b[0], y: b[1], width: Math.max(1, b[2] - b[0]),
                   height: Math.max(1, b[3] - b[1]), stroke: c }, g);
      var label = nodeName(n), pad = 2 * scale;
      var ty = Math.max(0, b[1] - font - 2 * pad);
      var tag = el('rect', { 'class': 'tag', x: b[0], y: ty, height: font + 2 * pad,
                             fill: c, 'fill-opacity': 0.8 }, g);
      var t = el('text', { x: b[0] + pad, y: ty + font, 'font-size': font }, g);
      t.textContent = label;
      tag.setAttribute('width', t.getComputedTextLength() + 2 * pad);
      g.addEventListener('click', function (ev) { ev.stopPropagation(); select(n.track_id); });
      hover(g, function () {
        var s = label + '\nscore ' + f2(n.score);
        var tr = tracks[n.track_id];
        if (tr) s += '\ntrack: frames ' + tr.start_frame + '-' + tr.end_frame +
          ', mean score ' + f2(tr.score);
        return s;
      });
    });
  }

  // ---- the graph: one fixed place per track ------------------------------
  var layout = (function () {
    var persons = [], objects = [];
    video.tracks.forEach(function (t) { (t.label === 1 ? persons : objects).push(t.track_id); });
    var perCol = 10, cols = Math.max(1, Math.ceil(objects.length / perCol));
    var rows = Math.max(persons.length, Math.min(objects.length, perCol), 3);
    var maxUntracked = 0;
    frames.forEach(function (f) {
      var k = f.nodes.filter(function (n) { return n.track_id === null; }).length;
      maxUntracked = Math.max(maxUntracked, k);
    });
    var W = 420, rowH = 44, top = 24;
    var uRows = Math.ceil(maxUntracked / 5);
    var H = top + rows * rowH + uRows * 40 + 20;
    var pos = {};
    persons.forEach(function (tid, k) { pos[tid] = [60, top + rowH * (k + 0.5) * rows / persons.length]; });
    var colW = (W - 190) / cols;
    objects.forEach(function (tid, k) {
      var c = Math.floor(k / perCol), r = k % perCol;
      var n = Math.min(perCol, objects.length - c * perCol);
      pos[tid] = [190 + colW * (c + 0.5), top + rowH * (r + 0.5) * rows / n];
    });
    return { W: W, H: H, pos: pos, uTop: top + rows * rowH + 20 };
  })();
  var graph = $('graph');
  graph.setAttribute('viewBox', '0 0 ' + layout.W + ' ' + layout.H);
  function drawGraph(f, nodes) {
    clear(graph);
    var ids = {}, at = {}, k = 0;
    nodes.forEach(function (n) {
      ids[n.id] = n;
      at[n.id] = n.track_id !== null && layout.pos[n.track_id] ? layout.pos[n.track_id]
        : [40 + 80 * (k % 5), layout.uTop + 40 * Math.floor(k++ / 5)];
    });
    var edgeLayer = el('g', {}, graph), nodeLayer = el('g', {}, graph);
    shownEdges(f, ids).forEach(function (e) {
      var s = ids[e.subject], o = ids[e.object], a = at[e.subject], b = at[e.object];
      var hl = state.track === null ? '' :
        (s.track_id === state.track || o.track_id === state.track ? ' selected' : ' dimmed');
      var g = el('g', { 'class': 'edge' + hl, 'data-subject': e.subject, 'data-object': e.object }, edgeLayer);
      el('line', { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, g);
      var preds = edgePredicates(e);
      var text = preds.map(function (p) { return p[1]; }).join(', ');
      // the label sits on the edge, 60% of the way to the object, clear of both nodes
      var x = a[0] + 0.6 * (b[0] - a[0]), y = a[1] + 0.6 * (b[1] - a[1]) - 4;
      var bg = el('rect', { 'class': 'label-bg', y: y - 10, height: 13 }, g);
      var t = el('text', { y: y, 'text-anchor': 'middle' }, g);
      t.textContent = text;
      var w = t.getComputedTextLength() + 4;
      x = Math.max(w / 2 + 2, Math.min(layout.W - w / 2 - 2, x));  // inside the panel
      t.setAttribute('x', x);
      bg.setAttribute('x', x - w / 2);
      bg.setAttribute('width', w);
      hover(g, function () {
        return nodeName(s) + ' -> ' + nodeName(o) + '\nedge score ' + f2(e.score) + '\n' +
          preds.map(function (p) { return p[0] + ': ' + p[1] + ' ' + f2(p[2]); }).join('\n');
      });
    });
    nodes.forEach(function (n) {
      var p = at[n.id];
      var g = el('g', { 'class': 'node' + (n.track_id === null ? ' untracked' : '') +
                        selectedClass(n.track_id),
                        'data-node': n.id, 'data-track': n.track_id === null ? '' : n.track_id }, nodeLayer);
      el('circle', { cx: p[0], cy: p[1], r: 9, fill: color(n.track_id) }, g);
      el('text', { x: p[0], y: p[1] + 21, 'text-anchor': 'middle' }, g).textContent = nodeName(n);
      g.addEventListener('click', function (ev) { ev.stopPropagation(); select(n.track_id); });
      hover(g, nodeName(n) + '\nscore ' + f2(n.score));
    });
  }

  // ---- the timeline ------------------------------------------------------
  var timeline = $('timeline');
  var T = (function () {
    var rows = {}, keys = [];
    video.relation_intervals.forEach(function (it) {
      var key = [it.object, it.subject, GROUPS.indexOf(it.group), it.predicate].join('|');
      if (!rows[key]) { rows[key] = []; keys.push(key); }
      rows[key].push(it);
    });
    keys.sort(function (a, b) {
      var x = a.split('|'), y = b.split('|');
      for (var i = 0; i < 3; i++) if (+x[i] !== +y[i]) return +x[i] - +y[i];
      return x[3] < y[3] ? -1 : x[3] > y[3] ? 1 : 0;
    });
    var idx = frames.map(function (f) { return f.frame_index; });
    var next = {}, step = 1;
    for (var i = 1; i < idx.length; i++) { next[idx[i - 1]] = idx[i]; }
    if (idx.length > 1) step = Math.min.apply(null, idx.slice(1).map(function (v, i) { return v - idx[i]; }));
    return { rows: rows, keys: keys, first: idx[0], last: idx[idx.length - 1] + step,
             next: next, step: step, labelW: 270, W: 960, rowH: 18 };
  })();
  function tx(frame) {
    var span = Math.max(1, T.last - T.first);
    return T.labelW + (T.W - T.labelW - 10) * (frame - T.first) / span;
  }
  function rowText(it) {
    var s = it.subject_label + '#' + it.subject, o = it.object_label + '#' + it.object;
    return it.group === 'spatial' ? o + ' ' + it.predicate + ' ' + s : s + ' ' + it.predicate + ' ' + o;
  }
  function drawTimeline() {
    clear(timeline);
    var keys = T.keys.filter(function (k) {
      var it = T.rows[k][0];
      return state.groups[it.group] && T.rows[k].some(function (i) { return i.score >= state.thr; });
    });
    var H = 22 + T.rowH * Math.max(1, keys.length);
    timeline.setAttribute('viewBox', '0 0 ' + T.W + ' ' + H);
    timeline.setAttribute('width', T.W);
    timeline.setAttribute('height', H);
    var axis = el('g', { 'class': 'axis' }, timeline);
    // ticks at round frame numbers, about 8 of them
    var span = Math.max(1, T.last - T.first), raw = span / 8;
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var tick = [1, 2, 5, 10].map(function (m) { return m * mag; })
      .filter(function (v) { return v >= raw; })[0];
    for (var fr = Math.ceil(T.first / tick) * tick; fr <= T.last; fr += tick) {
      el('line', { x1: tx(fr), x2: tx(fr), y1: 14, y2: H }, axis);
      el('text', { x: tx(fr), y: 11, 'text-anchor': 'middle' }, axis).textContent = fr;
    }
    if (!keys.length) {
      el('text', { x: 8, y: 34, 'class': 'empty' }, timeline).textContent =
        'no relation interval' + (video.relation_intervals.length ? ' passes the filters' : '');
    }
    keys.forEach(function (key, r) {
      var its = T.rows[key], first = its[0], y = 18 + r * T.rowH;
      var involved = state.track !== null && (first.subject === state.track || first.object === state.track);
      var cls = 'row' + (state.track === null ? '' : involved ? ' highlight' : ' dimmed');
      var g = el('g', { 'class': cls, 'data-subject': first.subject, 'data-object': first.object,
                        'data-group': first.group, 'data-predicate': first.predicate }, timeline);
      el('rect', { 'class': 'row-bg', x: 0, y: y, width: T.W, height: T.rowH }, g);
      el('text', { x: 4, y: y + 13 }, g).textContent = rowText(first);
      its.forEach(function (it) {
        if (it.score < state.thr) return;
        var end = T.next[it.end_frame] !== undefined ? T.next[it.end_frame] : it.end_frame + T.step;
        var x0 = tx(it.start_frame);
        var bar = el('rect', { 'class': 'bar', x: x0, y: y + 3, height: T.rowH - 6,
                               width: Math.max(2, tx(end) - x0), fill: D.group_colors[it.group],
                               'fill-opacity': 0.35 + 0.65 * Math.min(1, it.score),
                               'data-start': it.start_frame, 'data-end': it.end_frame }, g);
        bar.addEventListener('click', function (ev) {
          ev.stopPropagation();
          setPosition(posOfFrame[it.start_frame]);
        });
        hover(bar, rowText(it) + '\nframes ' + it.start_frame + '-' + it.end_frame + ' (' +
              it.num_frames + ' key frames)\nscore ' + f2(it.score) + ', max ' + f2(it.max_score));
      });
    });
    el('line', { id: 'cursor', y1: 14, y2: H }, timeline);
    moveCursor();
  }
  function moveCursor() {
    var c = tx(frames[state.pos].frame_index), line = $('cursor');
    line.setAttribute('x1', c);
    line.setAttribute('x2', c);
  }

  // ---- the track list ----------------------------------------------------
  function drawTracks(f) {
    var ul = $('tracks');
    clear(ul);
    var here = {};
    f.nodes.forEach(function (n) { if (n.track_id !== null) here[n.track_id] = 1; });
    video.tracks.forEach(function (t) {
      var li = document.createElement('li');
      li.className = (t.track_id === state.track ? 'selected' : '') + (here[t.track_id] ? '' : ' absent');
      li.setAttribute('data-track', t.track_id);
      var chip = document.createElement('span');
      chip.className = 'chip';
      chip.style.background = color(t.track_id);
      li.appendChild(chip);
      li.appendChild(document.createTextNode('#' + t.track_id + ' ' + t.label_name));
      li.addEventListener('click', function (ev) { ev.stopPropagation(); select(t.track_id); });
      hover(li, '#' + t.track_id + ' ' + t.label_name + '\nframes ' + t.start_frame + '-' +
            t.end_frame + ' (' + t.num_frames + ' key frames)\nmean score ' + f2(t.score));
      ul.appendChild(li);
    });
  }

  // ---- state changes -----------------------------------------------------
  // a new position redraws the frame and the graph and moves the timeline's
  // cursor; a new selection or filter redraws the timeline too
  function render(positionOnly) {
    var f = frames[state.pos], nodes = shownNodes(f);
    $('frame-slider').value = state.pos;
    $('frame-label').textContent = 'key frame ' + (state.pos + 1) + '/' + frames.length +
      ' \u00b7 frame ' + f.frame_index + (f.latency_ms !== undefined ? ' \u00b7 ' + f.latency_ms + ' ms' : '');
    drawBoxes(f, nodes);
    drawGraph(f, nodes);
    if (positionOnly) moveCursor(); else drawTimeline();
    drawTracks(f);
    document.body.setAttribute('data-position', state.pos);
    document.body.setAttribute('data-selected-track', state.track === null ? '' : state.track);
  }
  function setPosition(p) {
    if (p === undefined || isNaN(p)) return;
    state.pos = Math.max(0, Math.min(frames.length - 1, p));
    render(true);
  }
  function select(tid) {
    state.track = tid === null || tid === undefined || tid === state.track ? null : tid;
    render();
  }
  function togglePlay() {
    var btn = $('play');
    if (state.timer) {
      clearInterval(state.timer);
      state.timer = null;
      btn.textContent = '\u25b6 play';
      return;
    }
    if (state.pos >= frames.length - 1) setPosition(0);
    btn.textContent = '\u275a\u275a pause';
    state.timer = setInterval(function () {
      if (state.pos >= frames.length - 1) { togglePlay(); return; }
      setPosition(state.pos + 1);
    }, 1000 / (D.play_fps || 4));
  }

  var slider = $('frame-slider');
  slider.max = frames.length - 1;
  slider.addEventListener('input', function () { setPosition(parseInt(slider.value, 10)); });
  $('play').addEventListener('click', togglePlay);
  $('clear').addEventListener('click', function () { select(null); });
  $('score-thr').addEventListener('input', function () {
    state.thr = parseFloat(this.value);
    $('score-thr-value').textContent = f2(state.thr);
    render();
  });
  $('show-untracked').addEventListener('change', function () { state.untracked = this.checked; render(); });
  Array.prototype.forEach.call(document.querySelectorAll('#group-filter input'), function (box) {
    box.addEventListener('change', function () { state.groups[box.getAttribute('data-group')] = box.checked; render(); });
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.target.tagName === 'INPUT' && ev.target.type === 'range') return;
    if (ev.key === ' ') { ev.preventDefault(); togglePlay(); }
    if (ev.key === 'ArrowRight') setPosition(state.pos + 1);
    if (ev.key === 'ArrowLeft') setPosition(state.pos - 1);
  });
  window.addEventListener('resize', render);

  var title = (D.title || video.video_id);
  $('title').textContent = title;
  document.title = title + ' \u00b7 VOST scene graphs';
  $('summary').textContent = frames.length + ' key frames, ' + video.tracks.length + ' tracks, ' +
    video.relation_intervals.length + ' relation intervals';
  render();
  // the image's size is known once it loads: redraw the labels at their size
  img.addEventListener('load', function once() { img.removeEventListener('load', once); render(); });
  window.VOST_VIEWER_READY_MS = performance.now();
  document.body.setAttribute('data-ready', '1');
})();
