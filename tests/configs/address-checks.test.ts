// configs/address-checks.ts (issue 21): look-alike text, link-local and metadata addresses in any
// form a resolver or URL parser reads, and credentials inside URLs, never echoed.
import {
  checkAsciiAddress,
  checkNoCredentialsInUrl,
  checkNoInvisible,
  checkNotLinkLocal,
  hostOf,
  linkLocalReason,
  looseIPv4,
  parseIPv6,
} from "../../configs/address-checks";

describe("link-local and metadata addresses", () => {
  test.each([
    ["169.254.169.254", /instance metadata service/],
    ["169.254.0.1", /169\.254\.0\.0\/16/],
    ["169.254.255.255", /169\.254\.0\.0\/16/],
    ["2852039166", /instance metadata service/], // inet_aton's single number
    ["0xa9.0xfe.0xa9.0xfe", /instance metadata service/], // hexadecimal octets
    ["0251.0376.0251.0376", /instance metadata service/], // octal octets
    ["169.254.43518", /instance metadata service/], // a.b.c with a 16-bit tail
    ["fe80::1", /fe80::\/10/],
    ["febf::1", /fe80::\/10/],
    ["fd00:ec2::254", /fd00:ec2::254/],
    ["FD00:EC2:0:0:0:0:0:254", /fd00:ec2::254/],
    ["::ffff:169.254.169.254", /written as IPv6/],
    ["::ffff:a9fe:a9fe", /written as IPv6/],
    ["instance-data", /name of the instance metadata service/],
    ["instance-data.ec2.internal.", /name of the instance metadata service/],
    ["metadata.google.internal", /name of the instance metadata service/],
  ])("%s is refused", (host, reason) => {
    expect(linkLocalReason(host)).toMatch(reason);
  });

  test.each(["169.253.255.255", "169.255.0.0", "10.0.0.1", "fec0::1", "fd00:ec2::253", "api", "metadata", "2852061184", "::1"])(
    "%s is not",
    (host) => {
      expect(linkLocalReason(host)).toBeUndefined();
    },
  );

  test("finds the host in URLs and host:port, brackets and ports stripped", () => {
    expect(hostOf("http://[fe80::1]:8080/x")).toBe("fe80::1");
    expect(hostOf("https://user:pw@169.254.169.254/")).toBe("169.254.169.254");
    expect(hostOf("http://2852039166/")).toBe("169.254.169.254"); // the WHATWG parser normalises it
    expect(hostOf("api:8080")).toBe("api");
    expect(hostOf("[fd00:ec2::254]:80")).toBe("fd00:ec2::254");
    expect(checkNotLinkLocal("tcp://169.254.169.254:2375")).toMatch(/link-local/);
    expect(checkNotLinkLocal("postgresql://169.254.169.254:5432/", true)).toMatch(/not shown/);
    expect(checkNotLinkLocal("10.0.5.3:9100")).toBeUndefined();
  });

  test("parses IPv4 as inet_aton does and IPv6 with compression and an IPv4 tail", () => {
    expect(looseIPv4("127.1")).toBe(0x7f000001);
    expect(looseIPv4("1.2.3.256")).toBeUndefined();
    expect(looseIPv4("256.1.1.1")).toBeUndefined();
    expect(looseIPv4("example.com")).toBeUndefined();
    expect(parseIPv6("::")).toEqual(Array(16).fill(0));
    expect(parseIPv6("1:2:3:4:5:6:7:8:9")).toBeUndefined();
    expect(parseIPv6("1::2::3")).toBeUndefined();
    expect(parseIPv6("::ffff:1.2.3.4")?.slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
  });
});

describe("credentials inside URLs", () => {
  test.each([
    ["https://u:hunter2@example.com/x", "hunter2", /user name or password/],
    ["https://token-only@example.com/x", "token-only", /user name or password/],
    ["https://example.com/x?api_key=k1k1k1", "k1k1k1", /api_key/],
    ["https://example.com/x?apikey=k2k2k2", "k2k2k2", /apikey/],
    ["https://example.com/x?access_token=k3k3k3&b=1", "k3k3k3", /access_token/],
    ["https://example.com/x?SIG=k4k4k4", "k4k4k4", /SIG/],
    ["https://example.com/x?X-Amz-Credential=k5k5k5&X-Amz-Signature=k6k6k6", "k6k6k6", /X-Amz-Credential, X-Amz-Signature/],
    ["https://example.com/x?client_secret=k7k7k7", "k7k7k7", /client_secret/],
  ])("%s is refused without repeating the credential", (url, secret, where) => {
    const p = checkNoCredentialsInUrl(url, "someSecret");
    expect(p).toMatch(where);
    expect(p).toMatch(/secret setting someSecret/);
    expect(p).not.toContain(secret);
  });

  test("without a secret setting for it, the message says so", () => {
    expect(checkNoCredentialsInUrl("https://example.com/?token=abc", undefined)).toMatch(/no setting of this program holds a credential/);
  });

  test.each(["https://example.com/x?tenant=a&page=2", "https://example.com/tokens/list", "https://example.com/x?keys=1"])(
    "%s is accepted",
    (url) => {
      expect(checkNoCredentialsInUrl(url, undefined)).toBeUndefined();
    },
  );
});

describe("look-alike text", () => {
  test.each(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202a", "\u202e", "\u2066", "\u2069", "\u200e", "\u061c", "\u00ad"])(
    "U+%s is refused anywhere",
    (ch) => {
      const p = checkNoInvisible(`abc${ch}def`);
      expect(p).toMatch(/invisible character \(U\+[0-9A-F]{4}/);
      expect(checkNoInvisible(`hunter${ch}two`, true)).not.toContain("hunter");
    },
  );

  test("non-ASCII addresses are refused with their punycode form; free text is not an address", () => {
    expect(checkAsciiAddress("https://exаmple.com/", "URL")).toMatch(/xn--exmple-4nf\.com/);
    expect(checkAsciiAddress("bücher.example:80", "host name")).toMatch(/xn--bcher-kva\.example/);
    expect(checkAsciiAddress("oncаll@example.com", "e-mail address")).toMatch(/non-ASCII/);
    expect(checkAsciiAddress("https://xn--exmple-4nf.com/", "URL")).toBeUndefined();
    expect(checkNoInvisible("Umsatz pro Minute — Größe ✓")).toBeUndefined();
  });
});
