"""Plumbing of the integration tier, run inside its network namespace (standard library only).

It stands in for the cluster's network, never for a component under test:
  - "clients": one Unix socket per client; each connection is forwarded over TCP from that
    client's own loopback address (so the gateway and Synapse see distinct client addresses,
    as rate limits need), which lets the test process outside the namespace reach inside;
  - "services": kube-proxy's Service port translation (e.g. LDAPS 636 -> slapd's 1636),
    keeping the caller's source address, as kube-proxy's DNAT does; a Service with several
    pods sends each connection to the next pod in turn, skipping a pod that refuses it (a
    stopped pod leaves the endpoints);
  - "dns": the cluster DNS (answers A queries for the Service names from the hosts table),
    which HAProxy's `resolvers cluster` section queries at run time (the first answer per
    name and type is logged, so the log shows that run-time resolution happened).

Input: one JSON argument {"clients": [{"socket", "source", "target": [host, port]}],
"services": [{"listen": [host, port], "targets": [[host, port], ...]}], "dns": {"listen": [host, port],
"hosts": {name: address}}}. Prints "ready" once everything listens; runs until killed.
"""
import asyncio
import itertools
import json
import socket
import struct
import sys


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        pass


async def connect(targets, source, start):
    for offset in range(len(targets)):
        target = targets[(start + offset) % len(targets)]
        try:
            return await asyncio.open_connection(target[0], target[1], local_addr=(source, 0) if source else None)
        except OSError:
            continue
    raise OSError("no target accepts")


async def forward(client_reader, client_writer, source, targets, start=0):
    try:
        upstream_reader, upstream_writer = await connect(targets, source, start)
    except OSError:
        client_writer.close()
        return
    try:
        await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))
    finally:
        for writer in (upstream_writer, client_writer):
            try:
                writer.close()
            except OSError:
                pass


class Dns(asyncio.DatagramProtocol):
    def __init__(self, hosts):
        self.hosts = {name.lower().rstrip("."): address for name, address in hosts.items()}
        self.transport = None
        self.logged = set()

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        try:
            ident, flags = struct.unpack("!HH", data[:4])
            offset, labels = 12, []
            while data[offset]:
                length = data[offset]
                labels.append(data[offset + 1 : offset + 1 + length].decode("ascii").lower())
                offset += 1 + length
            offset += 1
            qtype, _qclass = struct.unpack("!HH", data[offset : offset + 4])
            question = data[12 : offset + 4]
            address = self.hosts.get(".".join(labels))
            answer = b""
            if address and qtype == 1:
                # Name as a pointer to the question (offset 12), type A, class IN, TTL 5 s.
                answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 5, 4) + socket.inet_aton(address)
            rcode = 0 if address else 3  # NOERROR (with no answer for other types), or NXDOMAIN
            header = struct.pack("!HHHHHH", ident, 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode, 1, 1 if answer else 0, 0, 0)
            self.transport.sendto(header + question + answer, addr)
            key = (".".join(labels), qtype)
            if key not in self.logged:  # the first answer per name and type, not every poll
                self.logged.add(key)
                print("dns: %s type %d -> %s" % (key[0], qtype, address if answer else ("NXDOMAIN" if rcode else "no record")), flush=True)
        except (IndexError, struct.error, UnicodeDecodeError):
            pass


async def main(plan):
    servers = []
    for client in plan.get("clients", []):
        handler = lambda r, w, c=client: forward(r, w, c["source"], [c["target"]])
        servers.append(await asyncio.start_unix_server(handler, path=client["socket"]))
    for service in plan.get("services", []):
        # Keep the caller's address as the source, as kube-proxy's DNAT does; the next pod for each connection.
        turn = itertools.count()
        handler = lambda r, w, s=service, t=turn: forward(r, w, w.get_extra_info("peername")[0], s["targets"], next(t))
        servers.append(await asyncio.start_server(handler, service["listen"][0], service["listen"][1]))
    dns = plan.get("dns")
    if dns:
        await asyncio.get_running_loop().create_datagram_endpoint(lambda: Dns(dns["hosts"]), local_addr=tuple(dns["listen"]))
    print("ready", flush=True)
    await asyncio.Event().wait()


asyncio.run(main(json.loads(sys.argv[1])))
