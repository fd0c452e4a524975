// A hostile model's commands that try to reach the network from the agent phase, which has
// none by default. Every probe is aimed at a service this test runs on the host's loopback;
// the same probe in a sandbox that shares the host's network is the control that shows it works.
import { createSocket, type Socket } from "node:dgram";
import { createServer, type Server, type Socket as StreamSocket } from "node:net";
import os from "node:os";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type HostLayout, makeHostLayout, sandboxFor, sh, sleep, unique } from "./attack-helpers.js";

let host: HostLayout;
const closers: (() => Promise<void>)[] = [];
beforeEach(() => {
  host = makeHostLayout();
});
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
  host.cleanup();
});

interface Listening {
  port: number;
  path: string;
  connections: () => number;
}

/** A stream server counting its connections, on a TCP address or a Unix (abstract) path. */
async function streamServer(where: { host: string } | { path: string }): Promise<Listening> {
  let count = 0;
  const open = new Set<StreamSocket>();
  const server: Server = createServer((socket) => {
    count++;
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    socket.end("hello from the host\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if ("path" in where) server.listen(where.path, resolve);
    else server.listen(0, where.host, resolve);
  });
  closers.push(
    () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { port, path: "path" in where ? where.path : "", connections: () => count };
}

const python = (code: string) => `python3 -c '${code}'`;

describe("network egress from the agent phase", () => {
  it("cannot connect to a TCP service on the host's 127.0.0.1", async () => {
    const service = await streamServer({ host: "127.0.0.1" });
    const probe =
      `exec 3<>/dev/tcp/127.0.0.1/${service.port} && cat <&3; ` +
      python(
        `import socket; s=socket.create_connection(("127.0.0.1", ${service.port}), 2); print(s.recv(100).decode())`,
      ) +
      `; curl -sS -m 2 http://127.0.0.1:${service.port}/ ; echo done`;
    const control = await sh(sandboxFor(host, { network: true }), probe);
    expect(control.output).toContain("hello from the host");
    const before = service.connections();

    const result = await sh(sandboxFor(host), probe);
    expect(result.output).toContain("done");
    expect(result.output).not.toContain("hello from the host");
    expect(result.output).toMatch(/Connection refused/);
    expect(service.connections()).toBe(before);
  });

  it("cannot send UDP datagrams to the host", async () => {
    const received: string[] = [];
    const socket: Socket = createSocket("udp4");
    socket.on("message", (message) => received.push(message.toString()));
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => socket.close(() => resolve())));
    const port = socket.address().port;
    const token = `udp-${unique()}`;
    const probe =
      `echo ${token} > /dev/udp/127.0.0.1/${port}; ` +
      python(
        `import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"${token}", ("127.0.0.1", ${port}))`,
      ) +
      "; echo done";

    await sh(sandboxFor(host, { network: true }), probe);
    await sleep(100);
    expect(received.join("")).toContain(token); // the control
    received.length = 0;

    const result = await sh(sandboxFor(host), probe);
    await sleep(200);
    expect(result.output).toContain("done");
    expect(received).toEqual([]);
  });

  it("cannot resolve names: no DNS and no resolver to reach", async () => {
    const result = await sh(
      sandboxFor(host),
      "getent hosts example.com && echo RESOLVED; " +
        python(`import socket; print("RESOLVED", socket.getaddrinfo("example.com", 443))`) +
        "; echo done",
    );
    expect(result.output).toContain("done");
    expect(result.output).not.toContain("RESOLVED");
  });

  it.skipIf(!Object.values(os.networkInterfaces()).some((list) => list?.some((a) => a.address === "::1")))(
    "cannot connect to a service on the host's IPv6 loopback ::1",
    async () => {
      const service = await streamServer({ host: "::1" });
      const probe =
        python(`import socket; s=socket.create_connection(("::1", ${service.port}), 2); print(s.recv(100).decode())`) +
        "; echo done";
      const control = await sh(sandboxFor(host, { network: true }), probe);
      expect(control.output).toContain("hello from the host");
      const before = service.connections();

      const result = await sh(sandboxFor(host), probe);
      expect(result.output).toContain("done");
      expect(result.output).not.toContain("hello from the host");
      expect(service.connections()).toBe(before);
    },
  );

  it("has only its own loopback: no other interface, no route out", async () => {
    const result = await sh(
      sandboxFor(host),
      "cat /proc/net/dev /proc/net/route /proc/net/ipv6_route; ip -o link 2>&1",
    );
    const interfaces = [...result.output.matchAll(/^\s*([\w.-]+):\s+\d/gm)].map((match) => match[1]);
    expect(interfaces).toEqual(["lo"]);
    // /proc/net/route has only its header line: no IPv4 route at all.
    expect(result.output).not.toMatch(/^\w+\t[0-9A-F]{8}\t/m);
  });

  it("cannot open raw or packet sockets (no spoofing, no sniffing)", async () => {
    const result = await sh(
      sandboxFor(host),
      [
        "import socket",
        "for family, kind, proto in [(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP), (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW), (socket.AF_PACKET, socket.SOCK_RAW, 3)]:",
        "    try:",
        "        socket.socket(family, kind, proto); print('OPENED')",
        "    except OSError as e:",
        "        print('errno', e.errno)",
      ]
        .join("\n")
        .replace(/^/, 'python3 -c "')
        .concat('"'),
    );
    expect(result.output).toBe("errno 1\nerrno 1\nerrno 1\n"); // EPERM, three times
  });

  it("cannot connect to the host's abstract Unix sockets", async () => {
    const service = await streamServer({ path: `\0quire-attack-${unique()}` });
    // Node names an abstract socket with the whole sun_path (NUL-padded): connect the same way.
    const client =
      `const c=require("net").connect("\\0${service.path.slice(1)}");` +
      'c.on("data",d=>process.stdout.write(String(d)));c.on("error",e=>console.log(e.code))';
    const probe = `node -e '${client}'; echo done`;
    const control = await sh(sandboxFor(host, { network: true }), probe);
    expect(control.output).toContain("hello from the host");
    const before = service.connections();

    const result = await sh(sandboxFor(host), probe);
    expect(result.output).toContain("done");
    expect(result.output).toContain("ECONNREFUSED");
    expect(service.connections()).toBe(before);
  });

  it("cannot find host Unix sockets on disk (docker, systemd, X11, ssh-agent)", async () => {
    const result = await sh(
      sandboxFor(host),
      "ls -d /run /var/run /tmp/.X11-unix /run/user /var/run/docker.sock 2>&1; find / -xdev -type s 2>/dev/null; echo done",
    );
    expect(result.output).toContain("done");
    expect(result.output).not.toMatch(/^\/\S*\.sock$/m);
    expect(result.output).not.toMatch(/^\/(run|var\/run)\n/m);
  });
});
