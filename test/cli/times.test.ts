// Tests for time formats: Go's time.Time.String() in UTC ("2006-01-02 15:04:05.999999999 -0700 MST",
// Go's documented layout, as `docker ps --format '{{.CreatedAt}}'` prints it), RFC3339Nano and
// the fixed nine-digit form of `docker logs --timestamps`.
import { describe, expect, it } from "vitest";
import { formatGoTime, formatLogTimestamp, formatRfc3339Nano, timeAgo } from "../../src/cli/times.js";

const start = Date.UTC(2025, 0, 1, 0, 0, 5);

describe("time formats", () => {
  it("formats Go's time.Time.String() in UTC", () => {
    expect(formatGoTime(start)).toBe("2025-01-01 00:00:05 +0000 UTC");
    expect(formatGoTime(start + 250)).toBe("2025-01-01 00:00:05.25 +0000 UTC");
  });

  it("formats RFC 3339 with nanoseconds", () => {
    expect(formatRfc3339Nano(start)).toBe("2025-01-01T00:00:05Z");
    expect(formatRfc3339Nano(start + 250)).toBe("2025-01-01T00:00:05.25Z");
    expect(formatLogTimestamp(start + 250)).toBe("2025-01-01T00:00:05.250000000Z");
  });

  it("phrases elapsed time", () => {
    expect(timeAgo(start, start + 5000)).toBe("5 seconds ago");
  });
});
