// The usage-plans dashboard: reads the admin API (same origin) and draws plans, keys, today's usage and the last
// 30 days. No framework and no build step; every value goes into the page as text, never as markup.
(function () {
  'use strict';

  var TOKEN_KEY = 'usage-plans-admin-token';
  var SERIES = '#2563eb';
  var DAYS = 30;
  var SVG = 'http://www.w3.org/2000/svg';
  var REASONS = {
    missingKey: 'no key', malformedKey: 'malformed key', unknownKey: 'unknown key', disabledKey: 'disabled key',
    noPlanOnStage: 'key has no plan on this stage', planNotAllowed: "key's plan may not call the method"
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

  function get(path) {
    var headers = { Accept: 'application/json' };
    var token = sessionStorage.getItem(TOKEN_KEY);
    if (token) { headers.Authorization = 'Bearer ' + token; }
    return fetch(api + '/' + path, { headers: headers, credentials: 'same-origin', cache: 'no-store' })
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
      var start = addDays(status.today, 1 - DAYS);
      return Promise.all([get('usageplans'), get('apikeys'), get('stats')]).then(function (all) {
        var plans = all[0].items;
        return Promise.all(plans.map(function (plan) {
          return get('usageplans/' + encodeURIComponent(plan.id) + '/usage?startDate=' + start + '&endDate=' + status.today);
        })).then(function (reports) {
          render(status, plans, all[1].items, all[2], reports);
          $('signin').hidden = true;
          $('content').hidden = false;
          $('forget').hidden = !sessionStorage.getItem(TOKEN_KEY);
          setState('ready');
        });
      });
    }).catch(function (e) {
      $('content').hidden = true;
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
    });
  }

  function render(status, plans, keys, stats, reports) {
    $('summary').textContent = 'stage ' + status.stage + ' · ' + status.store + ' · metering '
      + (status.enabled ? 'on' : 'OFF') + ' · ' + status.today + ' (UTC)';
    $('today-date').textContent = status.today;
    renderPlans(plans, stats);
    renderKeys(keys, stats);
    renderForbidden(stats);
    var today = $('today');
    var history = $('history');
    today.replaceChildren();
    history.replaceChildren();
    plans.forEach(function (plan, i) {
      renderUsage(plan, reports[i], status.today, today, history);
    });
    renderExport(plans, status.today);
  }

  // The plan list of the export, keeping the choice across refreshes; the dates default to the charts' 30 days.
  function renderExport(plans, today) {
    var select = $('export-plan');
    var chosen = select.value;
    select.replaceChildren();
    plans.forEach(function (plan) {
      var option = el('option', plan.name);
      option.value = plan.id;
      select.appendChild(option);
    });
    if (plans.some(function (plan) { return plan.id === chosen; })) { select.value = chosen; }
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

  function renderKeys(keys, stats) {
    var body = $('keys').tBodies[0];
    body.replaceChildren();
    keys.forEach(function (key) {
      var row = el('tr');
      row.setAttribute('data-key', key.id);
      var name = cell(row, key.name, 'name');
      if (key.description) { name.title = key.description; }
      cell(row, key.value, 'value');
      cell(row, key.enabled ? 'enabled' : 'disabled', key.enabled ? 'enabled' : 'disabled');
      cell(row, key.usagePlanIds.join(', '), 'plans');
      var counts = stats.keys[key.id] || {};
      ['throttled', 'quotaExceeded', 'forbidden'].forEach(function (outcome) {
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

  function renderUsage(plan, report, today, todayBox, historyBox) {
    var names = Object.keys(report.items);
    todayBox.appendChild(el('h3', plan.name));
    historyBox.appendChild(el('h3', plan.name));
    if (names.length === 0) {
      todayBox.appendChild(el('p', 'No keys on this plan.', 'muted'));
      return;
    }
    var charts = el('div', null, 'charts');
    historyBox.appendChild(charts);
    names.forEach(function (name) {
      var days = report.items[name];
      var last = days[days.length - 1];
      todayBox.appendChild(todayRow(plan, name, last[0], last[1]));
      charts.appendChild(chart(plan, name, days, today));
    });
  }

  function todayRow(plan, name, used, remaining) {
    var row = el('div', null, 'key-usage');
    row.setAttribute('data-plan', plan.id);
    row.setAttribute('data-key', name);
    row.appendChild(el('span', name, 'name'));
    var bar = el('div', null, 'bar');
    var fill = el('div', null, 'bar-used');
    bar.appendChild(fill);
    row.appendChild(bar);
    var text = el('span');
    text.appendChild(el('span', used, 'used'));
    if (remaining === null) {
      text.appendChild(document.createTextNode(' used (no quota)'));
      bar.className = 'bar no-quota';
    } else {
      text.appendChild(document.createTextNode(' used, '));
      text.appendChild(el('span', remaining, 'remaining'));
      text.appendChild(document.createTextNode(' remaining of ' + plan.quota.limit + ' per ' + plan.quota.period.toLowerCase()));
      var total = Math.max(used + remaining, 1);
      fill.style.width = Math.min(100, Math.round(100 * used / total)) + '%';
    }
    row.appendChild(text);
    return row;
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
  $('export-csv').addEventListener('click', function () { exportUsage('csv'); });
  $('export-json').addEventListener('click', function () { exportUsage('json'); });
  $('forget').addEventListener('click', function () {
    sessionStorage.removeItem(TOKEN_KEY);
    load();
  });
  load();
}());
