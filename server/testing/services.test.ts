import fs from "node:fs";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { freePorts } from "./services";

describe("freePorts", () => {
  it("gives distinct free ports below the kernel's ephemeral range (where outgoing connections cannot take them)", async () => {
    const ports = await freePorts(12);
    expect(new Set(ports).size).toBe(12);
    const range = fs.existsSync("/proc/sys/net/ipv4/ip_local_port_range") ? Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) : 32768;
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(range);
      // Free: a server binds it.
      await new Promise<void>((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(port, "127.0.0.1", () => srv.close(() => resolve()));
      });
    }
  });
});
