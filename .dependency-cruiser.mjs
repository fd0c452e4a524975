/**
 * The dependency rule (`npm run lint`): no import circle in any package, and in core/src and
 * server/src no import from a lower floor to a higher one. Floors are listed highest first; a
 * folder (or top-level file) may import its own floor and the floors below it. A new folder gets
 * a floor here, in the same change that adds it (docs/architecture.md says what each floor is).
 */

/** Core: the library a task runs on. */
const CORE_FLOORS = [
  ["index.ts"],
  ["verify"],
  ["tasks"],
  ["agent"],
  ["mcp"],
  ["tools"],
  ["config"],
  ["network"],
  ["environments"],
  ["instructions", "patch"],
  ["paths.ts", "host-git.ts"],
  ["sandbox"],
  ["events.ts"],
  ["models", "review"],
];

/** Server: routes on top, storage at the bottom. */
const SERVER_FLOORS = [
  ["index.ts", "service.ts"],
  ["http", "forges"],
  ["mcp"],
  ["client"],
  ["worker"],
  ["delivery"],
  ["tasks"],
  ["notifications"],
  ["plans"],
  ["accounts"],
  ["context.ts"],
  ["sources"],
  ["events", "metrics.ts", "errors.ts", "secrets-at-rest.ts"],
  ["storage", "blobs"],
];

/**
 * Known arrows up, each to be removed by the change that fixes it (issue 13): listed so the rule
 * holds for everything else today. Remove an entry when its import goes; never add one.
 */
const KNOWN_UPWARD = [];

/** Known import circles, each to go with the change that removes it: none left. */
const KNOWN_CIRCULAR = [];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const entryPattern = (root, entry) =>
  entry.endsWith(".ts") ? `^${escape(root)}/${escape(entry)}$` : `^${escape(root)}/${escape(entry)}/`;
const TESTS = "\\.test\\.ts$";

/** One rule per floor: nothing on it imports a higher floor, but for the known arrows listed above. */
function floorRules(pkg, floors) {
  const root = `packages/${pkg}/src`;
  const rules = [];
  floors.forEach((floor, index) => {
    const higher = floors.slice(0, index).flat();
    if (higher.length === 0) return;
    const from = floor.map((entry) => entryPattern(root, entry));
    const to = higher.map((entry) => entryPattern(root, entry));
    const name = `${pkg}-floor-${floor.join("+")}`;
    const comment = `${pkg}/src: ${floor.join(", ")} may not import a higher floor (${higher.join(", ")})`;
    const known = KNOWN_UPWARD.filter((arrow) => from.some((pattern) => new RegExp(pattern).test(arrow.file)));
    rules.push({
      name,
      comment,
      severity: "error",
      from: { path: from, pathNot: [TESTS, ...known.map((arrow) => `^${escape(arrow.file)}$`)] },
      to: { path: to },
    });
    for (const arrow of known) {
      rules.push({
        name: `${name}-known`,
        comment: `${comment}; known: ${arrow.file} -> ${arrow.imports}`,
        severity: "error",
        from: { path: `^${escape(arrow.file)}$` },
        to: { path: to, pathNot: `^${escape(arrow.imports)}$` },
      });
    }
  });
  return rules;
}

/** Every module of a package's src sits on a floor, so a new folder cannot slip past the rule. */
function placedRules(pkg, floors) {
  const root = `packages/${pkg}/src`;
  const placed = floors.flat().map((entry) => entryPattern(root, entry));
  const comment = `every module of ${pkg}/src is on a floor (.dependency-cruiser.mjs)`;
  return [
    {
      name: `${pkg}-imports-unplaced`,
      comment,
      severity: "error",
      from: {},
      to: { path: `^${escape(root)}/`, pathNot: placed },
    },
    {
      name: `${pkg}-unplaced`,
      comment,
      severity: "error",
      from: { path: `^${escape(root)}/`, pathNot: [TESTS, ...placed] },
      to: {},
    },
  ];
}

export default {
  forbidden: [
    {
      name: "no-circular",
      comment: "no import circle in any package (known: core's sandbox, listed above)",
      severity: "error",
      from: { path: "^packages/[^/]+/src/", pathNot: KNOWN_CIRCULAR },
      to: { circular: true, viaNot: KNOWN_CIRCULAR },
    },
    ...floorRules("core", CORE_FLOORS),
    ...floorRules("server", SERVER_FLOORS),
    ...placedRules("core", CORE_FLOORS),
    ...placedRules("server", SERVER_FLOORS),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
