// A minimal localtunnel-protocol server for offline tests. Loopback only: it refuses to bind
// anything else. Same protocol as localtunnel/server (and our client in src/webhook/tunnel/localtunnel.ts):
//   GET /?new or GET /<subdomain>  → {id, url, port, max_conn_count, ip}
//   the client opens max_conn_count TCP sockets to `port`; public HTTP requests arriving at `url`
//   are re-issued over those sockets through an http.Agent whose createConnection() hands out the
//   pooled tunnel sockets (the idea of localtunnel/server's TunnelAgent).
import { randomBytes } from 'node:crypto';
import { Agent, createServer as createHttpServer, request, type ClientRequestArgs, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import { isLoopbackAddress } from '../../src/webhook/loopback.js';

type ConnCallback = (err: Error | null, stream: Duplex) => void;

class PoolAgent extends Agent {
  private readonly idle: Socket[] = [];
  private readonly waiting: ConnCallback[] = [];
  readonly all = new Set<Socket>();

  constructor(maxConn: number) {
    // maxSockets = the tunnel's socket count, so freed keep-alive sockets are reused instead of
    // starving (reference tunnels.md §2.2).
    super({ keepAlive: true, maxSockets: maxConn, maxFreeSockets: maxConn });
  }

  add(sock: Socket): void {
    this.all.add(sock);
    sock.once('close', () => {
      this.all.delete(sock);
      const i = this.idle.indexOf(sock);
      if (i >= 0) this.idle.splice(i, 1);
    });
    const w = this.waiting.shift();
    if (w) w(null, sock);
    else this.idle.push(sock);
  }

  override createConnection(_opts: ClientRequestArgs, cb?: ConnCallback): undefined {
    if (!cb) throw new Error('PoolAgent needs the callback form of createConnection');
    const s = this.idle.shift();
    if (s) cb(null, s);
    else this.waiting.push(cb);
    return undefined;
  }

  destroyAll(): void {
    for (const s of this.all) s.destroy();
    for (const w of this.waiting.splice(0)) w(new Error('tunnel closed'), new PassThrough());
    this.destroy();
  }
}

/** A running test server. */
export interface LtTestServer {
  /** Control URL to pass as the tunnel host, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Registered clients, newest last. */
  clients: Array<{ id: string; publicUrl: string; connectedSockets(): number }>;
  /** Kills every tunnel socket and listener, as if the server died (the control port stays up). */
  dropTunnels(): void;
  close(): Promise<void>;
}

const listen = (srv: HttpServer | NetServer, host: string): Promise<number> =>
  new Promise((resolve) => srv.listen(0, host, () => resolve((srv.address() as AddressInfo).port)));

/** Starts the server on a loopback address (default 127.0.0.1); anything else throws. */
export async function startLtTestServer(opts: { host?: string; maxConn?: number } = {}): Promise<LtTestServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackAddress(host)) throw new Error(`lt test server refuses non-loopback host ${host}`);
  const maxConn = opts.maxConn ?? 4;
  const servers: Array<HttpServer | NetServer> = [];
  const agents: PoolAgent[] = [];
  const clients: LtTestServer['clients'] = [];

  async function newClient(id: string): Promise<object> {
    const agent = new PoolAgent(maxConn);
    agents.push(agent);
    const agentSrv = createNetServer((sock) => agent.add(sock));
    const publicSrv = createHttpServer((req, res) => {
      const preq = request({ agent, method: req.method, path: req.url, headers: req.headers }, (pres) => {
        res.writeHead(pres.statusCode ?? 502, pres.headers);
        pres.pipe(res);
      });
      preq.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(preq);
    });
    servers.push(agentSrv, publicSrv);
    const port = await listen(agentSrv, host);
    const publicPort = await listen(publicSrv, host);
    const publicUrl = `http://${host.includes(':') ? `[${host}]` : host}:${publicPort}`;
    clients.push({ id, publicUrl, connectedSockets: () => agent.all.size });
    return { id, ip: host, port, max_conn_count: maxConn, url: publicUrl };
  }

  const control = createHttpServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const sub = /^\/([a-z0-9-]{4,63})$/.exec(u.pathname)?.[1];
    if (req.method === 'GET' && ((u.pathname === '/' && u.searchParams.has('new')) || sub)) {
      void newClient(sub ?? randomBytes(4).toString('hex')).then((body) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(body));
      });
      return;
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ message: 'not found' }));
  });
  const controlPort = await listen(control, host);

  const dropTunnels = (): void => {
    for (const a of agents) a.destroyAll();
    for (const s of servers) {
      if ('closeAllConnections' in s) s.closeAllConnections();
      s.close();
    }
  };
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${controlPort}`,
    clients,
    dropTunnels,
    async close() {
      dropTunnels();
      control.closeAllConnections();
      await new Promise<void>((resolve) => control.close(() => resolve()));
    },
  };
}
