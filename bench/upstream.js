// The partner API of the boleto workload (performance.md): checks the bearer token and the exact nested body,
// answers the boleto link. node:http, keep-alive, loopback only. GET /stats reports how many calls it served.
'use strict';
const http = require('node:http');
const port = Number(process.env.UPSTREAM_PORT || 18080);
const pad = 'x'.repeat(256 * 1024);
let calls = 0, rejected = 0;

function valid(body) {
  const keys = Object.keys(body);
  if (keys.join(',') !== 'customer,contacts,source') return false;
  const c = body.customer, k = body.contacts;
  return c && typeof c.name === 'string' && /^\d{11}$/.test(c.cpf) && Object.keys(c).length === 2
    && Array.isArray(k) && k.length === 1 && typeof k[0].name === 'string'
    && Array.isArray(k[0].emails) && k[0].emails.length === 1 && typeof k[0].emails[0].email === 'string'
    && body.source === 'bot';
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ calls, rejected }));
    return;
  }
  // /boletos/segunda-via-big pads the answer to 256 KiB; /boletos/segunda-via-kb/<n> to n KiB (the response-size curve).
  const sized = /^\/boletos\/segunda-via-kb\/(\d+)$/.exec(req.url);
  const padding = req.url === '/boletos/segunda-via-big' ? pad : sized ? 'x'.repeat(Number(sized[1]) * 1024) : null;
  if (req.method !== 'POST' || (req.url !== '/boletos/segunda-via' && padding === null)) { res.writeHead(404); res.end(); return; }
  const chunks = [];
  req.on('data', c => chunks.push(c));
  req.on('end', () => {
    calls++;
    let body;
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { body = null; }
    if (req.headers.authorization !== 'Bearer test-token' || !body || !valid(body)) {
      rejected++;
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end('{"error":"unexpected request"}');
      return;
    }
    const answer = { data: { url: 'https://pay.example/b/' + body.customer.cpf, amount: 123.45 } };
    if (padding !== null) answer.padding = padding;
    const text = JSON.stringify(answer);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.keepAliveTimeout = 65000;
server.listen(port, '127.0.0.1', () => console.log('upstream on ' + port));
