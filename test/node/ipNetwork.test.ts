import { describe, expect, it } from "vitest";
import { ipNetwork } from "../../worker/lib/ipNetwork";

describe("ipNetwork (the key a per-IP limit counts)", () => {
  it("keeps IPv4, folds IPv6 to its /64 however it is written, and reads IPv4-mapped addresses as IPv4", () => {
    expect(ipNetwork("198.51.100.7")).toBe("198.51.100.7");
    for (const ip of [
      "2001:db8:a:1::1",
      "2001:0DB8:000a:0001:0:0:0:2",
      "2001:db8:a:1:ffff:1:2:3",
      "2001:db8:a:1::5%eth0",
    ]) {
      expect(ipNetwork(ip)).toBe("2001:db8:a:1::/64");
    }
    expect(ipNetwork("::")).toBe("0:0:0:0::/64");
    expect(ipNetwork("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(ipNetwork("::ffff:c633:6407")).toBe("198.51.100.7");
    expect(ipNetwork("64:ff9b::198.51.100.7")).toBe("64:ff9b:0:0::/64");
  });

  it("keeps what it cannot read as it is", () => {
    for (const ip of ["1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "2001:db8::g", "::1.2.3.999", "1:2:3:4:5:6:7"]) {
      expect(ipNetwork(ip)).toBe(ip);
    }
  });
});
