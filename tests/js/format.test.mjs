import assert from "node:assert/strict";
import { test } from "node:test";

import { count, dur, fitFont, hex, hostWords, size } from "../../static/js/format.js";

test("sizes use binary units with at most one decimal", () => {
  assert.deepEqual([size(512), size(4096), size(15.9 * 2 ** 20), size(300 * 2 ** 20)], ["512 B", "4.0 KiB", "15.9 MiB", "300 MiB"]);
});

test("durations pick µs, ms or s", () => {
  assert.deepEqual([dur(5.4e-6, "en"), dur(0.0123, "en"), dur(2, "en")], ["5.4 µs", "12.3 ms", "2.00 s"]);
  assert.equal(dur(2, "ko"), "2.00초");
});

test("addresses are hex and counts are grouped as each language writes them", () => {
  assert.equal(hex(255), "0xff");
  // a narrow space that never breaks a line in English, commas in Korean
  assert.equal(count(80000, "en"), "80\u202f000");
  assert.equal(count(80000, "ko"), "80,000");
});

test("a longer text gets a smaller font, never below the minimum", () => {
  assert.ok(fitFont("a".repeat(40), 200, 20) < fitFont("a".repeat(10), 200, 20));
  assert.equal(fitFont("a".repeat(1000), 10, 20), 9);
  assert.ok(fitFont("가나다", 60, 30) < fitFont("abc", 60, 30)); // Hangul is wider
});

test("the host is named only where the class might take it for the laptop's own system", () => {
  const own = hostWords({ kind: "linux", name: "", kernel: "6.18.44" });
  assert.equal(own.pill, "");
  assert.match(own.sentence, /own Linux kernel, 6\.18\.44/);
  const wsl = hostWords({ kind: "wsl", name: "WSL2", kernel: "5.15.167.4-microsoft-standard-WSL2" });
  assert.equal(wsl.pill, "WSL2 on Windows");
  assert.match(wsl.sentence, /not from Windows itself/);
  const docker = hostWords({ kind: "container", name: "docker", kernel: "6.8.0" });
  assert.equal(docker.pill, "in docker");
  assert.match(docker.sentence, /host's Linux kernel 6\.8\.0/);
  assert.equal(hostWords({ kind: "container", name: "", kernel: "6.8.0" }).pill, "in a container");
  // an old recording has no host: nothing is said rather than a wrong kernel
  assert.deepEqual(hostWords(undefined), { sentence: "", pill: "" });
  assert.deepEqual(hostWords({ kind: "linux", name: "", kernel: "" }), { sentence: "", pill: "" });
});
