// The /analysis/ page. The page itself carries no data; with an admin token (obtained through
// /api/token/ and kept in sessionStorage, i.e. this tab only) it reads the upcoming payments from
// the JSON API with the Authorization header and draws them with Chart.js (served by im-web).
'use strict';
(function () {
  var TOKEN_KEY = 'im.analysis.token';
  var API = '/api/analysis/upcoming-payments/';
  var $ = function (id) {
    return document.getElementById(id);
  };
  var chart = null;

  function message(text, isError) {
    $('message').textContent = text || '';
    $('message').className = isError ? 'error' : '';
  }

  function showLogin(text) {
    sessionStorage.removeItem(TOKEN_KEY);
    $('report').hidden = true;
    $('logout').hidden = true;
    $('login').hidden = false;
    message(text, Boolean(text));
  }

  function authHeaders() {
    return { Authorization: 'Token ' + sessionStorage.getItem(TOKEN_KEY), Accept: 'application/json' };
  }

  async function login(event) {
    event.preventDefault();
    message('Logging in…');
    var response = await fetch('/api/token/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username: $('username').value, password: $('password').value }),
    });
    var body = await response.json().catch(function () {
      return {};
    });
    if (!response.ok || !body.token) {
      showLogin(response.status === 429 ? 'Too many attempts; try again later.' : 'Wrong username or password.');
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, body.token);
    $('password').value = '';
    await load();
  }

  async function load() {
    message('Loading…');
    var response = await fetch(API, { headers: authHeaders() });
    if (response.status === 401) return showLogin('Your session has expired; please log in again.');
    if (response.status === 403) return showLogin('This page needs an admin account.');
    if (!response.ok) return message('Could not load the report (HTTP ' + response.status + ').', true);
    render(await response.json());
  }

  function cell(row, text) {
    var td = document.createElement('td');
    td.textContent = String(text);
    row.appendChild(td);
  }

  function render(report) {
    $('login').hidden = true;
    $('logout').hidden = false;
    $('report').hidden = false;
    $('from-month').textContent = report.from;
    var tbody = $('months').tBodies[0];
    tbody.textContent = '';
    report.months.forEach(function (m) {
      var tr = document.createElement('tr');
      tr.dataset.month = m.month;
      cell(tr, m.month);
      cell(tr, m.amount);
      cell(tr, m.lines);
      cell(tr, m.quantity);
      tbody.appendChild(tr);
    });
    $('total-amount').textContent = report.total.amount;
    $('total-lines').textContent = String(report.total.lines);
    $('total-quantity').textContent = String(report.total.quantity);
    $('unscheduled').textContent =
      report.unscheduled.lines > 0
        ? report.unscheduled.lines + ' line(s) worth ' + report.unscheduled.amount + ' EUR have no release date yet.'
        : '';
    message(report.months.length ? '' : 'No open pre-order lines.');
    var data = {
      labels: report.months.map(function (m) {
        return m.month;
      }),
      datasets: [
        {
          label: 'Upcoming payments (EUR)',
          // Chart.js needs numbers for bar heights; the exact amounts are in the table and the CSV.
          data: report.months.map(function (m) {
            return Number(m.amount);
          }),
          backgroundColor: '#1565c0',
        },
      ],
    };
    if (chart) chart.destroy();
    chart = new window.Chart($('chart'), {
      type: 'bar',
      data: data,
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: 'EUR' } } },
        plugins: { legend: { display: false } },
      },
    });
    window.analysisChart = chart;
    window.analysisReport = report;
    document.body.dataset.state = 'rendered';
  }

  async function downloadCsv(event) {
    event.preventDefault();
    var response = await fetch(API + '?format=csv', { headers: authHeaders() });
    if (!response.ok) return message('Could not download the CSV (HTTP ' + response.status + ').', true);
    var url = URL.createObjectURL(await response.blob());
    var a = document.createElement('a');
    a.href = url;
    a.download = 'upcoming-payments.csv';
    document.body.appendChild(a);
    a.click();
    a.remove();
    URL.revokeObjectURL(url);
  }

  function logout() {
    if (chart) chart.destroy();
    chart = null;
    showLogin('Logged out.');
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('login-form').addEventListener('submit', function (e) {
      login(e).catch(function () {
        message('Network error.', true);
      });
    });
    $('logout').addEventListener('click', logout);
    $('csv').addEventListener('click', function (e) {
      downloadCsv(e).catch(function () {
        message('Network error.', true);
      });
    });
    if (sessionStorage.getItem(TOKEN_KEY)) {
      load().catch(function () {
        message('Network error.', true);
      });
    } else {
      showLogin('');
    }
  });
})();
