"""The scene-graph viewer in a real browser (headless Chromium, selenium).

What a person sees is checked against the JSON the page was made from:
the nodes, edges and boxes of each key frame, the highlight of a clicked
track in all three views, the timeline's bars, the filters, the hover
text and the pixels of a screenshot. Chromium and ChromeDriver are
Debian's (``bash tools/install_browser.sh``, which ``.ci/run`` runs): the
tests fail, never skip, without them.
"""
import io
import json
import os
import shutil
import tempfile

import numpy as np
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from vost.visualization import track_color
from .viewer_cases import write_synthetic_viewer

# headless, and nothing that reaches for a network
CHROMIUM_FLAGS = ('--headless', '--no-sandbox', '--disable-gpu',
                  '--disable-quic', '--no-first-run',
                  '--disable-background-networking',
                  '--disable-component-update', '--disable-sync',
                  '--disable-default-apps', '--hide-scrollbars',
                  '--force-device-scale-factor=1', '--window-size=1200,1000')


@pytest.fixture(scope='module')
def browser():
    """Headless Chromium driven by Debian's ChromeDriver."""
    chromium, driver_path = shutil.which('chromium'), shutil.which(
        'chromedriver')
    assert chromium and driver_path, (
        'the browser test needs Debian\'s chromium and chromium-driver: run '
        'bash tools/install_browser.sh')
    profile = tempfile.mkdtemp(prefix='vost-chromium-')
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS + (f'--user-data-dir={profile}', ):
        options.add_argument(flag)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL',
                                                 'performance': 'ALL'})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope='module')
def synthetic_viewer(tmp_path_factory):
    """The viewer folder of the synthetic video (6 key frames)."""
    return write_synthetic_viewer(str(tmp_path_factory.mktemp('viewer')))


def _open(driver, index):
    driver.get_log('performance')  # drained: what follows is this page's
    driver.get('file://' + index)
    assert driver.execute_script('return document.body.dataset.ready') == '1'
    errors = [e for e in driver.get_log('browser') if e['level'] == 'SEVERE']
    assert errors == []


def _css(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def _go_to(driver, position):
    """Move the frame slider with the keyboard, as a person would."""
    slider = driver.find_element(By.ID, 'frame-slider')
    slider.send_keys(Keys.HOME + Keys.ARROW_RIGHT * position)
    assert slider.get_attribute('value') == str(position)


def _boxes(driver):
    return {int(b.get_attribute('data-node')):
            [float(v) for v in b.get_attribute('data-bbox').split(',')]
            for b in _css(driver, '#boxes g.box')}


def test_each_frame_shows_the_json_graph(browser, synthetic_viewer):
    _open(browser, synthetic_viewer['index'])
    graphs = synthetic_viewer['graphs']
    seen = []
    for k, graph in enumerate(graphs):
        _go_to(browser, k)
        assert browser.find_element(By.ID, 'frame-label').text == (
            f'key frame {k + 1}/{len(graphs)} \u00b7 frame '
            f'{graph["frame_index"]}')
        assert len(_css(browser, '#graph g.node')) == len(graph['nodes'])
        assert len(_css(browser, '#graph g.edge')) == len(graph['edges'])
        boxes = _boxes(browser)
        assert boxes == {n['id']: n['bbox'] for n in graph['nodes']}
        names = {e.text for e in _css(browser, '#graph g.node text')}
        assert names == {'#1 person', '#2 cup/glass/bottle',
                         '#3 television', 'n3 light'}
        seen.append(boxes[1])
    # moving the slider moved the cup's box: 8 px a key frame
    assert [b[0] for b in seen] == [70.0 + 8 * k for k in range(6)]
    # the graph layout is stable: the cup's node never moves
    _go_to(browser, 0)
    place0 = _css(browser, '#graph g.node[data-track="2"] circle')[0].rect
    _go_to(browser, 5)
    assert _css(browser, '#graph g.node[data-track="2"] circle')[0].rect == \
        place0
    # every request the page made (DevTools' network log) was for a file
    # next to it: the viewer needs no network
    sent = [m['params'] for m in (
        json.loads(e['message'])['message']
        for e in browser.get_log('performance'))
        if m['method'] == 'Network.requestWillBeSent']
    page = 'file://' + synthetic_viewer['index']
    folder = os.path.dirname(page) + '/'
    urls = [p['request']['url'] for p in sent if p['documentURL'] == page]
    assert {'index.html', 'data.js', 'viewer.js', 'viewer.css',
            'frames/000005.jpg'} <= {u[len(folder):] for u in urls}
    assert all(u.startswith(folder) for u in urls), urls
    # nor did the browser itself (its own pages are chrome:// URLs)
    assert not [p['request']['url'] for p in sent if p['request'][
        'url'].split(':', 1)[0] in ('http', 'https', 'ws', 'wss')]


def test_clicking_a_track_highlights_it_everywhere(browser, synthetic_viewer):
    _open(browser, synthetic_viewer['index'])
    record = synthetic_viewer['record']
    _css(browser, '#boxes g.box[data-track="2"] rect.frame')[0].click()
    assert browser.execute_script(
        'return document.body.dataset.selectedTrack') == '2'
    classes = {b.get_attribute('data-track'): b.get_attribute('class')
               for b in _css(browser, '#boxes g.box')}
    assert 'selected' in classes['2'].split()
    assert all('dimmed' in c.split() for t, c in classes.items() if t != '2')
    node = _css(browser, '#graph g.node[data-track="2"]')[0]
    assert 'selected' in node.get_attribute('class').split()
    rows = _css(browser, '#timeline g.row')
    lit = sorted(r.get_attribute('data-predicate') for r in rows
                 if 'highlight' in r.get_attribute('class').split())
    want = sorted(i['predicate'] for i in record['relation_intervals']
                  if 2 in (i['subject'], i['object']))
    assert lit == want == ['holding', 'in_front_of', 'looking_at']
    assert len(rows) - len(lit) == sum(
        'dimmed' in r.get_attribute('class').split() for r in rows)
    li = _css(browser, '#tracks li[data-track="2"]')[0]
    assert 'selected' in li.get_attribute('class').split()
    # a node of the graph selects too; clicking the selection clears it
    _css(browser, '#graph g.node[data-track="3"] circle')[0].click()
    assert browser.execute_script(
        'return document.body.dataset.selectedTrack') == '3'
    _css(browser, '#graph g.node[data-track="3"] circle')[0].click()
    assert browser.execute_script(
        'return document.body.dataset.selectedTrack') == ''
    assert not _css(browser, '#timeline g.row.highlight')


def test_clicking_a_bar_jumps_to_its_first_frame(browser, synthetic_viewer):
    _open(browser, synthetic_viewer['index'])
    touching = [i for i in synthetic_viewer['record']['relation_intervals']
                if i['predicate'] == 'touching']
    assert [(i['start_frame'], i['end_frame']) for i in touching] == [
        (90, 150)]
    bar = _css(browser, '#timeline g.row[data-predicate="touching"] '
               'rect.bar')[0]
    assert bar.get_attribute('data-start') == '90'
    bar.click()
    assert browser.find_element(By.ID, 'frame-slider').get_attribute(
        'value') == '3'  # frame 90 is key frame 3
    cursor = browser.find_element(By.ID, 'cursor')
    assert float(cursor.get_attribute('x1')) == pytest.approx(
        float(bar.get_attribute('x')))


def test_filters_hide_what_they_say(browser, synthetic_viewer):
    _open(browser, synthetic_viewer['index'])
    graph = synthetic_viewer['graphs'][0]
    record = synthetic_viewer['record']
    # score >= 0.75 (End, then 25 steps of 0.01 down)
    browser.find_element(By.ID, 'score-thr').send_keys(
        Keys.END + Keys.ARROW_LEFT * 25)
    assert browser.find_element(By.ID, 'score-thr-value').text == '0.75'
    kept = {n['id'] for n in graph['nodes'] if n['score'] >= 0.75}
    assert kept == {0, 1, 2}  # the lamp (0.35) goes
    assert set(_boxes(browser)) == kept
    edges = [e for e in graph['edges'] if e['score'] >= 0.75
             and e['subject'] in kept and e['object'] in kept]
    assert len(_css(browser, '#graph g.edge')) == len(edges) == 2
    rows = {(i['subject'], i['predicate'], i['object'])
            for i in record['relation_intervals'] if i['score'] >= 0.75}
    assert len(_css(browser, '#timeline g.row')) == len(rows) == 3
    # unchecking a group removes its predicates from edges and timeline
    browser.find_element(By.ID, 'score-thr').send_keys(Keys.HOME)
    _css(browser, '#group-filter input[data-group="attention"]')[0].click()
    labels = ' '.join(e.text for e in _css(browser, '#graph g.edge text'))
    assert 'holding' in labels and 'looking_at' not in labels
    groups = {r.get_attribute('data-group')
              for r in _css(browser, '#timeline g.row')}
    assert groups == {'spatial', 'contacting'}
    # untracked nodes can be hidden
    _css(browser, '#show-untracked')[0].click()
    assert len(_css(browser, '#graph g.node')) == 3


def test_hover_shows_the_scores(browser, synthetic_viewer):
    _open(browser, synthetic_viewer['index'])
    edge = [e for e in synthetic_viewer['graphs'][0]['edges']
            if (e['subject'], e['object']) == (0, 1)][0]
    target = _css(browser, '#graph g.edge[data-object="1"] text')[0]
    ActionChains(browser).move_to_element(target).perform()
    tip = browser.find_element(By.ID, 'tooltip')
    assert tip.is_displayed()
    assert tip.text.splitlines() == [
        '#1 person -> #2 cup/glass/bottle',
        f'edge score {edge["score"]:.2f}',
        f'attention: looking_at {edge["attention"]["score"]:.2f}',
        'spatial: in_front_of 0.80', 'contacting: holding 0.90'
    ]
    box = _css(browser, '#boxes g.box[data-track="3"] rect.frame')[0]
    ActionChains(browser).move_to_element(box).perform()
    assert tip.text.splitlines()[:2] == ['#3 television', 'score 0.80']


def test_screenshot_has_the_track_colour_in_its_box(browser,
                                                    synthetic_viewer):
    from PIL import Image
    _open(browser, synthetic_viewer['index'])
    _css(browser, '#graph g.node[data-track="2"] circle')[0].click()
    rect = browser.execute_script(
        'var r = document.querySelector(\'#boxes g.box[data-track="2"] '
        'rect.frame\').getBoundingClientRect();'
        'return [r.left, r.top, r.right, r.bottom];')
    png = browser.get_screenshot_as_png()
    shot = np.asarray(Image.open(io.BytesIO(png)).convert('RGB')).astype(int)
    x0, y0, x1, y1 = (int(round(v)) for v in rect)
    inside = shot[y0:y1 + 1, x0:x1 + 1]

    def count(color):
        return int((np.abs(inside - color).max(-1) <= 8).sum())

    # the cup's box (a 20-pixel box drawn ~4x) is outlined in its colour
    assert count(track_color(2)) > 2 * (x1 - x0)
    assert count(track_color(3)) == 0  # not the television's
    out = os.environ.get('VOST_VIEWER_SCREENSHOT')
    if out:  # docs/images/viewer.png is made this way (docs/get_started.md)
        Image.open(io.BytesIO(png)).convert('RGB').quantize(
            colors=64).save(out, optimize=True)


def test_load_time_of_300_key_frames(browser, tmp_path):
    viewer = write_synthetic_viewer(str(tmp_path / 'long'), num_frames=300)
    _open(browser, viewer['index'])
    ready_ms = browser.execute_script('return window.VOST_VIEWER_READY_MS')
    print(f'viewer of 300 key frames ready in {ready_ms:.0f} ms')
    assert ready_ms < 5000
    assert browser.find_element(By.ID, 'frame-slider').get_attribute(
        'max') == '299'
    assert browser.find_element(By.ID, 'summary').text.startswith(
        '300 key frames, ')


def test_a_viewer_without_its_data_says_so(browser, synthetic_viewer,
                                           tmp_path):
    folder = tmp_path / 'broken'
    shutil.copytree(os.path.dirname(synthetic_viewer['index']), folder)
    os.remove(folder / 'data.js')
    browser.get('file://' + str(folder / 'index.html'))
    error = browser.find_element(By.ID, 'error')
    assert error.is_displayed()
    assert error.text.startswith('data.js is missing or is not a VOST '
                                 'viewer data file')
