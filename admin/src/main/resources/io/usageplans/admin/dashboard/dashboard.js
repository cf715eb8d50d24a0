// The usage-plans dashboard: reads the admin API (same origin) and draws plans, the last hour's requests per second,
// today's top 20 keys of a plan and one page of keys at a time, with a key's 30 days on demand; its buttons change
// keys, quotas and plans' limits through the same (audited) API, each after a confirmation. No framework and no build step; every
// value goes into the page as text, never as markup.
(function () {
  'use strict';

  var TOKEN_KEY = 'usage-plans-admin-token';
  var SERIES = '#2563eb';
  var DAYS = 30;
  var PAGE = 50;
  var RATES_EVERY_MS = 10000;
  var RATE_SERIES = [['allowed', 'allowed', '#2563eb'], ['throttled', 'throttled', '#d97706'],
    ['quotaExceeded', 'quota exceeded', '#b91c1c'], ['wouldRefuse', 'would refuse', '#7c3aed']];
  var current = { today: null, plans: [], query: '', offset: 0, total: 0, ratesTimer: null, ratesLoads: 0 };
  var SVG = 'http://www.w3.org/2000/svg';
  var REASONS = {
    missingKey: 'no key', malformedKey: 'malformed key', unknownKey: 'unknown key', disabledKey: 'disabled key',
    noPlanOnStage: 'key has no plan on this stage', planNotAllowed: "key's plan may not call the method",
    severalKeys: 'several keys in one request'
  };

  var api = document.body.getAttribute('data-api').replace(/\/+$/, '');

  function $(id) { return document.getElementById(id); }

  function el(name, text, className) {
    var node = document.createElement(name);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function svg(name, attributes) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes || {}).forEach(function (a) { node.setAttribute(a, String(attributes[a])); });
    return node;
  }

  function ApiError(status, problem) {
    this.status = status;
    this.message = problem && problem.detail ? problem.detail : 'the admin API answered ' + status;
  }

  function get(path) { return send('GET', path); }

  function send(method, path, body) {
    var headers = { Accept: 'application/json' };
    var token = sessionStorage.getItem(TOKEN_KEY);
    if (token) { headers.Authorization = 'Bearer ' + token; }
    var init = { method: method, headers: headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(api + '/' + path, init)
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          if (!response.ok) { throw new ApiError(response.status, body); }
          return body;
        });
      });
  }

  function addDays(isoDate, days) {
    var d = new Date(isoDate + 'T00:00:00Z');
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }

  function setState(state) { document.body.setAttribute('data-state', state); }

  function load() {
    $('error').hidden = true;
    setState('loading');
    return get('status').then(function (status) {
      return Promise.all([get('usageplans'), get('stats')]).then(function (all) {
        current.today = status.today;
        current.plans = all[0].items;
        render(status, all[0].items, all[1]);
        return Promise.all([loadKeys(), loadTop(), loadRates()]).then(function () {
          $('signin').hidden = true;
          $('content').hidden = false;
          $('forget').hidden = !sessionStorage.getItem(TOKEN_KEY);
          if (current.ratesTimer === null) { current.ratesTimer = setInterval(refreshRates, RATES_EVERY_MS); }
          setState('ready');
        });
      });
    }).catch(failed);
  }

  function failed(e) {
    $('content').hidden = true;
    if (current.ratesTimer !== null) { clearInterval(current.ratesTimer); current.ratesTimer = null; }
    if (e.status === 401) {
      var hadToken = !!sessionStorage.getItem(TOKEN_KEY);
      sessionStorage.removeItem(TOKEN_KEY);
      $('signin-message').textContent = hadToken ? 'That token was refused. Enter the admin token.'
        : 'The admin API needs the admin token or a signed-in user with the admin role.';
      $('signin').hidden = false;
      $('forget').hidden = true;
      $('summary').textContent = 'Not signed in';
      setState('signin');
      $('token').focus();
    } else {
      $('error').textContent = e.status === 403 ? 'You are signed in, but without the admin role: ' + e.message
        : 'Could not load the dashboard: ' + (e.message || e);
      $('error').hidden = false;
      setState('error');
    }
  }

  function render(status, plans, stats) {
    $('summary').textContent = 'stage ' + status.stage + ' · ' + status.store + ' · metering '
      + (status.enabled ? 'on' : 'OFF') + ' · ' + status.today + ' (UTC)';
    $('top-date').textContent = status.today;
    renderPlans(plans, stats);
    renderPlanLimits(plans);
    renderForbidden(stats);
    renderPlanChoice($('top-plan'), plans);
    renderExport(plans, status.today);
  }

  function renderPlanChoice(select, plans) {
    var chosen = select.value;
    select.replaceChildren();
    plans.forEach(function (plan) {
      var option = el('option', plan.name);
      option.value = plan.id;
      select.appendChild(option);
    });
    if (plans.some(function (plan) { return plan.id === chosen; })) { select.value = chosen; }
  }

  function planNamed(id) {
    return current.plans.filter(function (plan) { return plan.id === id; })[0];
  }

  // One page of keys, searched and paged by the API, so the page stays small with any number of keys.
  function loadKeys() {
    document.body.setAttribute('data-keys', 'loading');
    var path = 'apikeys?q=' + encodeURIComponent(current.query) + '&offset=' + current.offset + '&limit=' + PAGE;
    return get(path).then(function (page) {
      if (page.items.length === 0 && page.offset > 0 && page.total > 0) { // the last page emptied: go back one
        current.offset = Math.max(0, Math.floor((page.total - 1) / PAGE) * PAGE);
        return loadKeys();
      }
      current.total = page.total;
      renderKeys(page);
      document.body.setAttribute('data-keys', 'ready');
    });
  }

  function renderKeys(page) {
    var body = $('keys').tBodies[0];
    body.replaceChildren();
    page.items.forEach(function (key) {
      var row = el('tr');
      row.setAttribute('data-key', key.id);
      var name = cell(row, key.name, 'name');
      if (key.description) { name.title = key.description; }
      cell(row, key.value, 'value');
      cell(row, key.enabled ? 'enabled' : 'disabled', key.enabled ? 'enabled' : 'disabled');
      cell(row, key.usagePlanIds.join(', '), 'plans');
      var actions = cell(row, null, 'actions');
      actions.appendChild(button('30 days', 'chart', function () { showKeyChart(key); }));
      actions.appendChild(key.enabled ? button('Disable', 'disable', function () { setEnabled(key, false); })
        : button('Enable', 'enable', function () { setEnabled(key, true); }));
      key.usagePlanIds.forEach(function (planId) {
        var plan = planNamed(planId);
        if (!plan || !plan.quota) { return; }
        var suffix = key.usagePlanIds.length > 1 ? ' (' + plan.name + ')' : '';
        var extend = button('Extend quota' + suffix, 'extend', function () { extendQuota(key, plan); });
        var reset = button('Reset quota' + suffix, 'reset', function () { resetQuota(key, plan); });
        extend.setAttribute('data-plan', plan.id);
        reset.setAttribute('data-plan', plan.id);
        actions.appendChild(extend);
        actions.appendChild(reset);
      });
      actions.appendChild(button('Rotate', 'rotate', function () { rotate(key); }));
      body.appendChild(row);
    });
    var first = page.items.length === 0 ? 0 : page.offset + 1;
    $('key-range').textContent = page.total === 0 ? (current.query ? 'no key matches' : 'no keys')
      : first + '–' + (page.offset + page.items.length) + ' of ' + page.total + (current.query ? ' matching' : '');
    $('key-prev').disabled = page.offset === 0;
    $('key-next').disabled = page.offset + page.items.length >= page.total;
  }

  function button(text, action, onClick) {
    var b = el('button', text);
    b.type = 'button';
    b.setAttribute('data-action', action);
    b.addEventListener('click', onClick);
    return b;
  }

  // Every change asks first, goes through the admin API (which logs who changed what), and shows what it did.
  function act(question, method, path, body, done) {
    if (!window.confirm(question)) { return; }
    notice('', null, false);
    document.body.setAttribute('data-action', 'pending');
    send(method, path, body).then(function (answer) {
      return Promise.resolve(done(answer)).then(function () {
        document.body.setAttribute('data-action', 'done');
        return Promise.all([loadKeys(), loadTop()]);
      });
    }).catch(function (e) {
      if (e.status === 401) { failed(e); return; }
      notice('Not done: ' + (e.message || e), null, true);
      document.body.setAttribute('data-action', 'error');
    });
  }

  function keyPath(key) { return 'apikeys/' + encodeURIComponent(key.id); }

  function quotaPath(key, plan) {
    return 'usageplans/' + encodeURIComponent(plan.id) + '/keys/' + encodeURIComponent(key.id) + '/usage';
  }

  function setEnabled(key, enabled) {
    act((enabled ? 'Enable' : 'Disable') + ' key ' + key.name + '? ' + (enabled ? 'Its requests will be served again.'
      : 'Its next request will be refused with 403.'), 'PATCH', keyPath(key), { enabled: enabled }, function (k) {
      notice('Key ' + k.name + ' is ' + (k.enabled ? 'enabled' : 'disabled') + '.', null, false);
    });
  }

  function extendQuota(key, plan) {
    var answer = window.prompt('Extend the ' + plan.quota.period.toLowerCase() + ' quota of key ' + key.name
      + ' on plan ' + plan.name + ' by how many requests? (for the current period)', '10');
    if (answer === null) { return; }
    var units = Number(answer.trim());
    if (!/^[0-9]+$/.test(answer.trim()) || units < 1) {
      notice('Not done: the extension must be a whole number of 1 or more, was "' + answer + '".', null, true);
      return;
    }
    act('Add ' + units + ' requests to the quota of key ' + key.name + ' on plan ' + plan.name + '?', 'PATCH',
      quotaPath(key, plan), { extendBy: units }, quotaDone);
  }

  function resetQuota(key, plan) {
    act('Reset the quota of key ' + key.name + ' on plan ' + plan.name + '? The full ' + plan.quota.limit
      + ' requests remain for the rest of this period.', 'PATCH', quotaPath(key, plan), { reset: true }, quotaDone);
  }

  function quotaDone(q) {
    notice('Key ' + q.keyId + ' on plan ' + q.usagePlanId + ': ' + q.remaining + ' of ' + q.limit
      + ' remain until ' + q.periodEnd + '.', null, false);
  }

  function rotate(key) {
    act('Rotate key ' + key.name + '? It gets a new value, shown once; the old value keeps working for a day.', 'POST',
      keyPath(key) + '/rotate', {}, function (k) {
        notice('New value of key ' + k.name + ' (shown only now; copy it):', k.value, false);
      });
  }

  // One row per plan with its limits in inputs; a change is sent as AWS's UpdateUsagePlan patch operations.
  function renderPlanLimits(plans) {
    var body = $('plan-limits').tBodies[0];
    body.replaceChildren();
    plans.forEach(function (plan) {
      var row = el('tr');
      row.setAttribute('data-plan', plan.id);
      cell(row, plan.name, 'name');
      var t = plan.throttle || {}, q = plan.quota || {};
      cell(row, null, 'rate').appendChild(input('rate', t.rateLimit, 'rate of plan ' + plan.name));
      cell(row, null, 'burst').appendChild(input('burst', t.burstLimit, 'burst of plan ' + plan.name));
      cell(row, null, 'limit').appendChild(input('limit', q.limit, 'quota limit of plan ' + plan.name));
      var period = el('select');
      period.className = 'period';
      period.setAttribute('aria-label', 'quota period of plan ' + plan.name);
      ['', 'DAY', 'WEEK', 'MONTH'].forEach(function (p) {
        var option = el('option', p === '' ? '–' : p.toLowerCase());
        option.value = p;
        period.appendChild(option);
      });
      period.value = q.period || '';
      cell(row, null, 'period').appendChild(period);
      cell(row, null, 'actions').appendChild(button('Change', 'change-plan', function () { changePlan(plan, row); }));
      body.appendChild(row);
    });
  }

  function input(className, value, label) {
    var field = el('input');
    field.type = 'text';
    field.className = className;
    field.setAttribute('inputmode', 'decimal');
    field.setAttribute('autocomplete', 'off');
    field.setAttribute('maxlength', '20');
    field.setAttribute('aria-label', label);
    field.value = value === undefined || value === null ? '' : String(value);
    return field;
  }

  function limitsText(plan) {
    return (plan.throttle ? plan.throttle.rateLimit + '/s, burst ' + plan.throttle.burstLimit : 'no throttle') + '; '
      + (plan.quota ? plan.quota.limit + ' per ' + plan.quota.period.toLowerCase() : 'no quota');
  }

  // Only what differs from the plan as shown is sent, each value as a string as AWS's API takes it; the server checks
  // every value and answers a problem naming the one it refused.
  function changePlan(plan, row) {
    var ops = [], said = [];
    var t = plan.throttle || {}, q = plan.quota || {};
    function value(name) { return row.querySelector('input.' + name).value.trim(); }
    function change(text, before, path, label) {
      if (text === '' || text === String(before)) { return; }
      ops.push({ op: 'replace', path: path, value: text });
      said.push(label + ' ' + (before === undefined ? 'none' : before) + ' → ' + text);
    }
    change(value('rate'), t.rateLimit, '/throttle/rateLimit', 'rate');
    change(value('burst'), t.burstLimit, '/throttle/burstLimit', 'burst');
    change(value('limit'), q.limit, '/quota/limit', 'quota limit');
    change(row.querySelector('select.period').value, q.period, '/quota/period', 'quota period');
    if (ops.length === 0) {
      notice('Nothing to change for plan ' + plan.name + '.', null, false);
      return;
    }
    act('Change plan ' + plan.name + ': ' + said.join(', ') + '? The next request of its keys gets the new limits.',
      'PATCH', 'usageplans/' + encodeURIComponent(plan.id), { patchOperations: ops }, function (changed) {
        notice('Plan ' + changed.name + ' now: ' + limitsText(changed) + '.', null, false);
        return refreshPlans();
      });
  }

  function refreshPlans() {
    return Promise.all([get('usageplans'), get('stats')]).then(function (all) {
      current.plans = all[0].items;
      renderPlans(all[0].items, all[1]);
      renderPlanLimits(all[0].items);
    });
  }

  function notice(text, value, isError) {
    $('notice').hidden = !text;
    $('notice').className = isError ? 'notice error' : 'notice';
    $('notice-text').textContent = text;
    $('notice-value').textContent = value || '';
    $('notice-value').hidden = !value;
  }

  // The key's 30 days on each of its plans, read when asked for, not for every key at once.
  function showKeyChart(key) {
    var start = addDays(current.today, 1 - DAYS);
    var plans = key.usagePlanIds.map(planNamed).filter(function (plan) { return !!plan; });
    document.body.setAttribute('data-chart', 'loading');
    return Promise.all(plans.map(function (plan) {
      return get('usageplans/' + encodeURIComponent(plan.id) + '/usage?startDate=' + start + '&endDate=' + current.today
        + '&keyId=' + encodeURIComponent(key.id));
    })).then(function (reports) {
      var box = $('key-chart-charts');
      box.replaceChildren();
      $('key-chart-name').textContent = key.name;
      plans.forEach(function (plan, i) {
        var days = reports[i].items[key.id] || [];
        box.appendChild(chart(plan, key.id, days, current.today));
      });
      if (plans.length === 0) { box.appendChild(el('p', 'This key is on no plan of this stage.', 'muted')); }
      $('key-chart').hidden = false;
      document.body.setAttribute('data-chart', key.id);
      $('key-chart').scrollIntoView();
    }).catch(function (e) {
      notice('Could not load the chart: ' + (e.message || e), null, true);
      document.body.setAttribute('data-chart', 'error');
    });
  }

  function loadTop() {
    var plan = $('top-plan').value;
    if (!plan) { return Promise.resolve(); }
    return get('usageplans/' + encodeURIComponent(plan) + '/top').then(function (top) {
      var body = $('top').tBodies[0];
      body.replaceChildren();
      top.items.forEach(function (item, i) {
        var row = el('tr');
        row.setAttribute('data-key', item.keyId);
        cell(row, i + 1, 'num rank');
        cell(row, item.keyId, 'name');
        cell(row, item.used, 'num used');
        cell(row, item.remaining === null ? '–' : item.remaining, 'num remaining');
        body.appendChild(row);
      });
      $('top-empty').hidden = top.items.length > 0;
    });
  }

  function refreshRates() {
    if ($('content').hidden) { return; }
    loadRates().catch(function (e) { if (e.status === 401) { failed(e); } });
  }

  function loadRates() {
    return get('stats/rates').then(function (rates) {
      drawRates(rates);
      current.ratesLoads++;
      document.body.setAttribute('data-rates', String(current.ratesLoads));
    });
  }

  // One line per series, the last hour in 10-second steps, scaled to the busiest step.
  function drawRates(rates) {
    var width = 900, height = 180, left = 44, right = 8, top = 10, bottom = 22;
    var plotWidth = width - left - right, plotHeight = height - top - bottom;
    var max = 0;
    RATE_SERIES.forEach(function (s) {
      rates.series[s[0]].forEach(function (v) { if (v > max) { max = v; } });
    });
    max = Math.max(max, 1);
    var root = svg('svg', { 'class': 'rates-chart', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height,
      role: 'img', 'aria-label': 'requests per second over the last hour' });
    root.appendChild(svg('line', { x1: left, y1: top + plotHeight + 0.5, x2: left + plotWidth, y2: top + plotHeight + 0.5,
      stroke: '#9ca3af', 'shape-rendering': 'crispEdges' }));
    RATE_SERIES.forEach(function (s) {
      var values = rates.series[s[0]];
      var step = plotWidth / Math.max(1, values.length - 1);
      var points = values.map(function (v, i) {
        return (left + i * step).toFixed(1) + ',' + (top + plotHeight - plotHeight * v / max).toFixed(1);
      }).join(' ');
      var line = svg('polyline', { points: points, fill: 'none', stroke: s[2], 'stroke-width': 1.5 });
      line.setAttribute('data-series', s[0]);
      root.appendChild(line);
    });
    [[+max.toFixed(2), top + 8], [0, top + plotHeight]].forEach(function (label) {
      var text = svg('text', { x: left - 6, y: label[1], 'text-anchor': 'end' });
      text.textContent = label[0] + '/s';
      root.appendChild(text);
    });
    [['an hour ago', left, 'start'], ['now', left + plotWidth, 'end']].forEach(function (label) {
      var text = svg('text', { x: label[1], y: height - 6, 'text-anchor': label[2] });
      text.textContent = label[0];
      root.appendChild(text);
    });
    $('rates').replaceChildren(root);
    var legend = $('rates-legend');
    legend.replaceChildren();
    RATE_SERIES.forEach(function (s) {
      var item = el('span');
      item.setAttribute('data-series', s[0]);
      var swatch = el('span', null, 'swatch');
      swatch.style.background = s[2];
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(s[1] + ': '));
      item.appendChild(el('span', rates.lastHour[s[0]], 'count'));
      item.appendChild(document.createTextNode(' in the last hour'));
      legend.appendChild(item);
    });
  }

  // The plan list of the export, keeping the choice across refreshes; the dates default to the charts' 30 days.
  function renderExport(plans, today) {
    renderPlanChoice($('export-plan'), plans);
    if (!$('export-start').value) { $('export-start').value = addDays(today, 1 - DAYS); }
    if (!$('export-end').value) { $('export-end').value = today; }
  }

  // The name the API gives the file: filename* (RFC 6266) when there is one, else filename.
  function fileName(disposition) {
    var extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition || '');
    if (extended) {
      try { return decodeURIComponent(extended[1]); } catch (e) { /* the plain name below */ }
    }
    var plain = /filename="([^"]*)"/i.exec(disposition || '');
    return plain ? plain[1] : null;
  }

  // Fetched with the same credentials as every other call (a link could not send the token), then saved from a blob.
  function exportUsage(format) {
    var plan = $('export-plan').value, start = $('export-start').value, end = $('export-end').value;
    var message = $('export-message');
    message.className = 'muted';
    message.textContent = 'Exporting ' + plan + ' from ' + start + ' to ' + end + '…';
    document.body.setAttribute('data-export', 'pending');
    var headers = { Accept: format === 'csv' ? 'text/csv' : 'application/json' };
    var token = sessionStorage.getItem(TOKEN_KEY);
    if (token) { headers.Authorization = 'Bearer ' + token; }
    var path = 'usageplans/' + encodeURIComponent(plan) + '/usage/export?startDate=' + encodeURIComponent(start)
      + '&endDate=' + encodeURIComponent(end) + '&format=' + format;
    fetch(api + '/' + path, { headers: headers, credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) {
        if (!response.ok) {
          return response.json().catch(function () { return null; }).then(function (body) {
            throw new ApiError(response.status, body);
          });
        }
        return response.blob().then(function (blob) {
          var name = fileName(response.headers.get('Content-Disposition'))
            || 'usage-' + plan + '-' + start + '-' + end + '.' + format;
          var url = URL.createObjectURL(blob);
          var link = el('a');
          link.href = url;
          link.download = name;
          link.hidden = true;
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
          message.textContent = 'Exported ' + name + ' (' + blob.size + ' bytes).';
          document.body.setAttribute('data-export', 'done');
        });
      })
      .catch(function (e) {
        message.className = 'error';
        message.textContent = 'Export failed: ' + (e.message || e);
        document.body.setAttribute('data-export', 'error');
      });
  }

  function cell(row, text, className) {
    var td = el('td', text, className);
    row.appendChild(td);
    return td;
  }

  function renderPlans(plans, stats) {
    var body = $('plans').tBodies[0];
    body.replaceChildren();
    plans.forEach(function (plan) {
      var row = el('tr');
      row.setAttribute('data-plan', plan.id);
      var name = cell(row, plan.name, 'name');
      if (plan.description) { name.title = plan.description; }
      cell(row, plan.throttle ? plan.throttle.rateLimit + '/s, burst ' + plan.throttle.burstLimit : 'none', 'throttle');
      cell(row, plan.quota ? plan.quota.limit + ' per ' + plan.quota.period.toLowerCase() : 'none', 'quota');
      var counts = stats.plans[plan.id] || {};
      ['allowed', 'throttled', 'quotaExceeded', 'forbidden'].forEach(function (outcome) {
        cell(row, counts[outcome] || 0, 'num ' + outcome);
      });
      body.appendChild(row);
    });
  }

  function renderForbidden(stats) {
    var body = $('forbidden').tBodies[0];
    body.replaceChildren();
    Object.keys(stats.forbidden).forEach(function (reason) {
      var row = el('tr');
      row.setAttribute('data-reason', reason);
      cell(row, REASONS[reason] || reason);
      cell(row, stats.forbidden[reason], 'num count');
      body.appendChild(row);
    });
  }

  // One bar per day, oldest left; a dashed line at the daily limit of a daily quota.
  function chart(plan, name, days, today) {
    var width = 520, height = 150, left = 36, right = 8, top = 10, bottom = 22;
    var plotWidth = width - left - right, plotHeight = height - top - bottom;
    var dailyLimit = plan.quota && plan.quota.period === 'DAY' ? plan.quota.limit : 0;
    // scaled to the busiest day, so small usage still shows; the daily limit is drawn when it is within that
    var max = Math.max(1, Math.max.apply(null, days.map(function (d) { return d[0]; })));
    var first = addDays(today, 1 - days.length);
    var figure = el('figure', null, 'chart-box');
    figure.setAttribute('data-plan', plan.id);
    figure.setAttribute('data-key', name);
    figure.appendChild(el('figcaption', name));
    var root = svg('svg', { 'class': 'chart', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height,
      role: 'img', 'aria-label': name + ': requests counted per day, last ' + days.length + ' days' });
    root.appendChild(svg('line', { x1: left, y1: top + plotHeight + 0.5, x2: left + plotWidth, y2: top + plotHeight + 0.5,
      stroke: '#9ca3af', 'shape-rendering': 'crispEdges' }));
    var slot = plotWidth / days.length;
    days.forEach(function (day, i) {
      if (day[0] <= 0) { return; }
      var barHeight = Math.max(1, Math.round(plotHeight * day[0] / max));
      var rect = svg('rect', { x: Math.round(left + i * slot + 1), y: top + plotHeight - barHeight,
        width: Math.max(1, Math.floor(slot) - 2), height: barHeight, fill: SERIES, 'shape-rendering': 'crispEdges' });
      var title = svg('title');
      title.textContent = addDays(first, i) + ': ' + day[0] + ' used' + (day[1] === null ? '' : ', ' + day[1] + ' remaining');
      rect.appendChild(title);
      root.appendChild(rect);
    });
    if (dailyLimit > 0 && dailyLimit <= max) {
      var y = top + plotHeight - Math.round(plotHeight * dailyLimit / max) + 0.5;
      root.appendChild(svg('line', { x1: left, y1: y, x2: left + plotWidth, y2: y, stroke: '#9ca3af',
        'stroke-dasharray': '4 3', 'shape-rendering': 'crispEdges' }));
    }
    [[max, top + 8], [0, top + plotHeight]].forEach(function (label) {
      var text = svg('text', { x: left - 6, y: label[1], 'text-anchor': 'end' });
      text.textContent = String(label[0]);
      root.appendChild(text);
    });
    [[first, left, 'start'], [today, left + plotWidth, 'end']].forEach(function (label) {
      var text = svg('text', { x: label[1], y: height - 6, 'text-anchor': label[2] });
      text.textContent = label[0];
      root.appendChild(text);
    });
    figure.appendChild(root);
    return figure;
  }

  $('token-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var token = $('token').value.trim();
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token);
      $('token').value = '';
      load();
    }
  });
  $('refresh').addEventListener('click', load);
  $('key-search-form').addEventListener('submit', function (event) {
    event.preventDefault();
    current.query = $('key-search').value.trim();
    current.offset = 0;
    loadKeys().catch(failed);
  });
  $('key-prev').addEventListener('click', function () {
    current.offset = Math.max(0, current.offset - PAGE);
    loadKeys().catch(failed);
  });
  $('key-next').addEventListener('click', function () {
    if (current.offset + PAGE < current.total) { current.offset += PAGE; }
    loadKeys().catch(failed);
  });
  $('top-plan').addEventListener('change', function () { loadTop().catch(failed); });
  $('notice-close').addEventListener('click', function () { notice('', null, false); });
  $('export-csv').addEventListener('click', function () { exportUsage('csv'); });
  $('export-json').addEventListener('click', function () { exportUsage('json'); });
  $('forget').addEventListener('click', function () {
    sessionStorage.removeItem(TOKEN_KEY);
    load();
  });
  load();
}());
