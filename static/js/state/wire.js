// The wire format's compact parts, decoded (app/protocol.py encodes them; docs/protocol.md describes them).

/** A RegionTable ({page, paths, rows}) back into region objects, as the server's RegionView. */
export function decodeRegions(table) {
  if (Array.isArray(table) || table == null) return table;
  const names = [];
  for (const entry of table.paths) {
    names.push(typeof entry === "string" ? entry : names[names.length - 1].slice(0, entry[0]) + entry[1]);
  }
  const out = [];
  let at = 0;
  for (const row of table.rows) {
    const start = at + row[0] * table.page;
    at = start + row[1] * table.page;
    out.push({
      start,
      end: at,
      perms: row[2],
      kind: row[3],
      path: names[row[4]],
      tid: row.length > 5 ? row[5] : null,
      guard: row.length > 5 ? Boolean(row[6]) : false,
    });
  }
  return out;
}

/** A ProcessView or ProcessPatch with its regions, if any, expanded. */
export function expandProcess(p) {
  return p.regions && !Array.isArray(p.regions) ? { ...p, regions: decodeRegions(p.regions) } : p;
}
