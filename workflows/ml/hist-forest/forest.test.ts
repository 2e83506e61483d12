import { describe, expect, it } from "vitest";
import { mulberry32 } from "~/lib/random";
import { decodeBundle, decodeForest, encodeBundle, encodeForest, joinParts } from "~/workflows/model/bundle";
import { modelAsRead, modelParts, parseModelFile, type ModelFile } from "~/workflows/model/model-file";
import { ForestPredictor, type FlatForest } from "~/workflows/model/flat-forest";
import { loadForest as loadMlrf } from "~/workflows/model/ml-random-forest";
import { trainForest as trainMlrf } from "../ml-random-forest/forest";
import { assemble, growTrees, resolveMaxFeatures, trainForest, type FeatureInput, type ForestOptions } from ".";
import { idleThreads, warmThreads } from "./pool";
import { decodeTraining, encodeTraining, prepareTraining, referencePredictions, treeParams } from "./train";
import { growTree } from "./tree";
import { binColumns, binValue, fitCategorical, fitNumeric, float32AtLeast, MISSING_BIN } from "~/workflows/model/binning";

const base: ForestOptions = {
  task: "classification",
  nEstimators: 30,
  maxDepth: 12,
  minSamplesLeaf: 1,
  maxFeatures: "sqrt",
  classWeight: null,
  oobScore: false,
  seed: 7,
};

/** Two informative features (an interaction and a linear term) among noise. */
function fixture(n: number, F = 6, seed = 1) {
  const r = mulberry32(seed);
  const cols = Array.from({ length: F }, () => new Float64Array(n));
  const y: number[] = [];
  const reg: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) cols[f]![i] = r() * 2 - 1;
    const s = cols[0]![i]! * cols[1]![i]! * 2 + cols[2]![i]!;
    y.push(s + 0.2 * (r() - 0.5) > 0 ? 1 : 0);
    reg.push(3 * Math.sin(2 * cols[0]![i]!) + cols[2]![i]! ** 2 + 0.1 * (r() - 0.5));
  }
  const features = (from: number, to: number): FeatureInput[] =>
    cols.map((c, f) => ({ name: `f${f}`, kind: "numeric", values: c.subarray(from, to) }));
  const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => cols.map((c) => c[from + k]!));
  return { cols, y, reg, features, rows };
}

const accuracy = (pred: number[], y: number[]) => pred.filter((p, i) => p === y[i]).length / y.length;

describe("binning", () => {
  it("uses midpoints for few distinct values and quantiles otherwise, with a missing bin", () => {
    const few = fitNumeric("x", [1, 2, 2, 3, null]);
    expect(few.kind === "numeric" && few.edges).toEqual([1.5, 2.5]);
    expect([1, 2, 3, 99, null, NaN].map((v) => binValue(few, v))).toEqual([0, 1, 2, 2, MISSING_BIN, MISSING_BIN]);
    const many = fitNumeric("x", Array.from({ length: 10_000 }, (_, i) => i));
    expect(many.kind === "numeric" && many.edges.length).toBe(254);
    // Quantile edges too lie halfway between neighbouring values, as scikit-learn's thresholds do:
    // of even numbers, every edge is odd, and a value between two goes with the nearer one.
    const evens = fitNumeric("x", Array.from({ length: 1000 }, (_, i) => 2 * i));
    const edges = evens.kind === "numeric" ? evens.edges : [];
    expect(edges.length).toBe(254);
    expect(edges.every((e) => e % 2 === 1)).toBe(true);
    const e = edges[100]!;
    expect([e - 0.9, e + 0.9].map((v) => binValue(evens, v))).toEqual([binValue(evens, e - 1), binValue(evens, e + 1)]);
    // Where the served forest's float32 threshold (rounded up) would reach the next value, the cut
    // stays at the lower value: 2^24 and 2^24 + 1 (float32 has no 2^24 + 0.5 nor 2^24 + 1), and a
    // million in steps of 0.1 (float32's step there is 0.0625, more than half of 0.1).
    const big = fitNumeric("x", [16_777_216, 16_777_217, 16_777_218]);
    expect(big.kind === "numeric" && big.edges).toEqual([16_777_216, 16_777_217]);
    const fine = Array.from({ length: 1000 }, (_, i) => 1e6 + i / 10);
    const cuts = fitNumeric("x", fine);
    const served = cuts.kind === "numeric" ? cuts.edges.map(float32AtLeast) : [];
    expect(served.length).toBe(254);
    // Each training value is on the same side of every served threshold as of its own cut.
    for (const [b, cut] of (cuts.kind === "numeric" ? cuts.edges : []).entries()) {
      expect(fine.every((v) => (v <= cut) === (v <= served[b]!))).toBe(true);
    }
  });
  it("bins a frequent category's training rows by its own place, and rare ones' out of fold", () => {
    // Two categories of 200 rows with close rates (a row's own target moves them by 0.5%).
    const sex = Array.from({ length: 400 }, (_, i) => (i % 2 ? "male" : "female"));
    const score = sex.map((_, i) => (i % 5 === 0 || i % 7 === 0 ? 1 : 0));
    const frequent = fitCategorical("sex", sex, score);
    expect(sex.every((v, i) => frequent.trainingBins[i] === binValue(frequent.binning, v))).toBe(true);
    // One row each (an ID): out of fold, so a row's own target cannot place it.
    const ids = sex.map((_, i) => `id${i}`);
    const rare = fitCategorical("id", ids, score);
    expect(ids.filter((v, i) => rare.trainingBins[i] !== binValue(rare.binning, v)).length).toBeGreaterThan(100);
  });
  it("keeps resolution in a long tail: a few large values do not share one bin", () => {
    // 9,700 values below 100, 300 spread up to 3,000 (like flight delays).
    const values = [...Array.from({ length: 9_700 }, (_, i) => i % 100), ...Array.from({ length: 300 }, (_, i) => 100 + i * 10)];
    const b = fitNumeric("delay", values);
    const tail = b.kind === "numeric" ? b.edges.filter((e) => e > 100) : [];
    // Row quantiles alone would put at most 255 × 3% ≈ 8 edges above 100.
    expect(tail.length).toBeGreaterThan(60);
    expect(binValue(b, 500)).not.toBe(binValue(b, 2500));
  });
  it("keeps drawing features while the ones drawn cannot split a node, as scikit-learn does", async () => {
    // x separates the classes; c is constant. With one feature per split, a node that draws c
    // must go on to x: scikit-learn 1.9 gives probabilities 1.0/0.0 here (0.87/0.13 when such a node became a leaf).
    const x = Array.from({ length: 40 }, (_, i) => i);
    const inputs: FeatureInput[] = [
      { name: "x", kind: "numeric", values: x },
      { name: "c", kind: "numeric", values: x.map(() => 5) },
    ];
    const { forest } = await trainForest(inputs, x.map((i) => (i < 20 ? "a" : "b")), { ...base, maxDepth: 0, nEstimators: 100 });
    const predictor = new ForestPredictor(forest);
    const acc = new Float64Array(2);
    const probs = (v: number) => Array.from(predictor.accumulate(predictor.encode([v, 5], new Float64Array(2)), acc));
    expect(probs(3)).toEqual([1, 0]);
    expect(probs(36)).toEqual([0, 1]);
  });
  it("resolves maxFeatures like scikit-learn", () => {
    expect(resolveMaxFeatures("sqrt", 20)).toBe(4);
    expect(resolveMaxFeatures("log2", 20)).toBe(4);
    expect(resolveMaxFeatures("all", 20)).toBe(20);
    expect(resolveMaxFeatures({ fraction: 0.5 }, 20)).toBe(10);
    expect(resolveMaxFeatures({ count: 1 }, 20)).toBe(1);
    expect(resolveMaxFeatures({ count: 50 }, 20)).toBe(20);
  });
});

describe("histogram random forest", () => {
  const { features, y, reg, rows } = fixture(2500);

  it("classifies held-out rows well and agrees closely with ml-random-forest", async () => {
    const { forest } = await trainForest(features(0, 2000), y.slice(0, 2000), base);
    const pred = new ForestPredictor(forest).predictRows(rows(2000, 2500));
    const acc = accuracy(pred, y.slice(2000));
    expect(acc).toBeGreaterThan(0.88);

    // Cross-check against ml-random-forest on a small fixture where both work.
    const X = rows(0, 600);
    const other = loadMlrf(trainMlrf(X, y.slice(0, 600), { task: "classification", nEstimators: 30, maxDepth: 12, maxFeatures: 1, seed: 3 }));
    const small = await trainForest(features(0, 600), y.slice(0, 600), { ...base, maxFeatures: "all" });
    const a = new ForestPredictor(small.forest).predictRows(rows(2000, 2500));
    const b = other.predict(rows(2000, 2500));
    expect(Math.abs(accuracy(a, y.slice(2000)) - accuracy(b, y.slice(2000)))).toBeLessThan(0.05);
    expect(accuracy(a, b)).toBeGreaterThan(0.85); // the two forests mostly predict the same class
  });

  it("is deterministic for a seed, whatever the number of threads", async () => {
    const one = await trainForest(features(0, 1500), y.slice(0, 1500), { ...base, nEstimators: 9 }, { threads: 1 });
    const three = await trainForest(features(0, 1500), y.slice(0, 1500), { ...base, nEstimators: 9 }, { threads: 3 });
    expect(Buffer.compare(encodeForest(one.forest), encodeForest(three.forest))).toBe(0);
    const other = await trainForest(features(0, 1500), y.slice(0, 1500), { ...base, nEstimators: 9, seed: 8 }, { threads: 2 });
    expect(Buffer.compare(encodeForest(one.forest), encodeForest(other.forest))).not.toBe(0);
  });

  it("starts threads ahead of a job; one that dies while idle leaves the pool, and the next job runs", async () => {
    const before = idleThreads().length;
    warmThreads(before + 2);
    expect(idleThreads()).toHaveLength(before + 2);
    warmThreads(before + 2);
    expect(idleThreads()).toHaveLength(before + 2); // up to the number asked, not beyond
    // The thread the next job would take (the last to go idle).
    const next = idleThreads().at(-1)!;
    // Listeners run in the order added: once this one has, the pool's own has seen the exit.
    const exited = new Promise((r) => next.once("exit", r));
    await next.terminate();
    await exited;
    expect(idleThreads()).not.toContain(next);
    expect(idleThreads()).toHaveLength(before + 1);
    // Posted to the dead thread, this job would never finish.
    const grown = await trainForest(features(0, 600), y.slice(0, 600), { ...base, nEstimators: 4 }, { threads: 1 });
    expect(grown.forest.treeRoots.length).toBe(4);
  });

  it("regresses with a low error (R² > 0.9)", async () => {
    const { forest } = await trainForest(features(0, 2000), reg.slice(0, 2000), { ...base, task: "regression", maxFeatures: "all" });
    const pred = new ForestPredictor(forest).predictRows(rows(2000, 2500));
    const actual = reg.slice(2000);
    const mean = actual.reduce((s, v) => s + v, 0) / actual.length;
    const se = actual.reduce((s, v, i) => s + (v - pred[i]!) ** 2, 0);
    const tot = actual.reduce((s, v) => s + (v - mean) ** 2, 0);
    expect(1 - se / tot).toBeGreaterThan(0.9);
  });

  it("respects maxDepth and minSamplesLeaf, and reports importances and an out-of-bag score", async () => {
    const { forest } = await trainForest(features(0, 2000), y.slice(0, 2000), { ...base, maxDepth: 3, minSamplesLeaf: 40, oobScore: true });
    const depth = (node: number): number => (forest.feature[node]! < 0 ? 0 : 1 + Math.max(depth(forest.left[node]!), depth(forest.right[node]!)));
    for (const root of forest.treeRoots) expect(depth(root)).toBeLessThanOrEqual(3);
    expect(forest.oobScore).toBeGreaterThan(0.6);
    const imp = [...forest.importances];
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    // The informative features f0..f2 carry most of the importance.
    expect(imp[0]! + imp[1]! + imp[2]!).toBeGreaterThan(0.7);
  });

  it("learns categorical features, missing values and labels of any type", async () => {
    const r = mulberry32(5);
    const n = 1500;
    const city: (string | null)[] = [];
    const income: (number | null)[] = [];
    const label: string[] = [];
    for (let i = 0; i < n; i++) {
      const c = ["paris", "oslo", "lima", "rome", "kyiv"][Math.floor(r() * 5)]!;
      const inc = r() < 0.2 ? null : r() * 100;
      city.push(r() < 0.05 ? null : c);
      income.push(inc);
      // Missing income is itself informative here.
      label.push((c === "oslo" || c === "lima") !== (inc === null) ? "buy" : "skip");
    }
    const feats: FeatureInput[] = [
      { name: "city", kind: "categorical", values: city },
      { name: "income", kind: "numeric", values: income },
    ];
    const { forest, classes } = await trainForest(feats, label, { ...base, maxFeatures: "all" });
    expect(classes).toEqual(["buy", "skip"]);
    const p = new ForestPredictor(forest);
    const pred = p.predictRows(city.map((c, i) => [c, income[i]])).map((k) => classes![k]);
    const known = label.filter((_, i) => city[i] !== null);
    expect(accuracy(pred.filter((_, i) => city[i] !== null) as never, known as never)).toBeGreaterThan(0.97);
    expect(classes![p.predictEncoded(p.encode(["oslo", 50]))]).toBe("buy");
    expect(classes![p.predictEncoded(p.encode(["oslo", null]))]).toBe("skip");
    // An unseen category is treated like a missing one instead of failing: the same probabilities.
    const probs = (city: string | null) => Array.from(p.accumulate(p.encode([city, 10]), new Float64Array(2)));
    expect(probs("tokyo")).toEqual(probs(null));
    expect(probs("tokyo")).not.toEqual(probs("oslo"));
  });

  it("balanced class weights raise recall of a rare class", async () => {
    const r = mulberry32(9);
    const n = 3000;
    const x = Float64Array.from({ length: n }, () => r());
    const yy = Array.from(x, (v) => (v > 0.93 || (v > 0.85 && r() < 0.5) ? "rare" : "common"));
    const feats: FeatureInput[] = [{ name: "x", kind: "numeric", values: x }, { name: "noise", kind: "numeric", values: Float64Array.from({ length: n }, () => r()) }];
    const opts = { ...base, maxDepth: 2, maxFeatures: "all" as const };
    const recall = async (classWeight: "balanced" | null) => {
      const { forest, classes } = await trainForest(feats, yy, { ...opts, classWeight });
      const pred = new ForestPredictor(forest).predictRows(Array.from(x, (v, i) => [v, feats[1]!.values[i]]));
      const rare = yy.map((v, i) => [v, classes![pred[i]!]]).filter(([v]) => v === "rare");
      return rare.filter(([, p]) => p === "rare").length / rare.length;
    };
    expect(await recall("balanced")).toBeGreaterThan(await recall(null));
  });

  it("keeps the caller's event loop free while trees grow", async () => {
    const big = fixture(20_000, 10, 3);
    let ticks = 0;
    let worstGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
      ticks++;
    }, 20);
    const started = performance.now();
    await trainForest(big.features(0, 20_000), big.y, { ...base, nEstimators: 150 }, { threads: 1 });
    const took = performance.now() - started;
    clearInterval(timer);
    // Binning runs on this thread (a short, bounded step); tree growth must not.
    expect(took).toBeGreaterThan(500);
    expect(ticks).toBeGreaterThan((took / 20) * 0.5);
    expect(worstGap).toBeLessThan(400);
  });

  it("predicts exactly what a plain walk of the flat arrays gives, missing values included", async () => {
    const { forest } = await trainForest(features(0, 2000), reg.slice(0, 2000), { ...base, task: "regression", maxFeatures: "all", maxDepth: 20 });
    const naive = (row: number[]) => {
      let sum = 0;
      for (const root of forest.treeRoots) {
        let node = root;
        while (forest.feature[node]! >= 0) {
          const v = row[forest.feature[node]!]!;
          const left = Number.isNaN(v) ? forest.missingLeft[node] === 1 : v <= forest.threshold[node]!;
          node = left ? forest.left[node]! : forest.right[node]!;
        }
        sum += forest.leafValues[forest.left[node]!]!;
      }
      return sum / forest.treeRoots.length;
    };
    const p = new ForestPredictor(forest);
    const test = rows(2000, 2500).map((r, i) => (i % 5 === 0 ? r.map((v, f) => (f === i % 6 ? NaN : v)) : r));
    const got = p.predictRows(test);
    test.forEach((r, i) => expect(got[i]).toBeCloseTo(naive(r), 5));
    // The 16-byte layout (forests too large for the compact one) keeps float64 thresholds: exactly the plain walk.
    expect(new ForestPredictor(forest, { wide: true }).predictRows(test)).toEqual(test.map(naive));
  });

  it("loads forests written before trees were numbered in pre-order (children numbered as pairs) to the same layout", async () => {
    const { forest } = await trainForest(features(0, 2000), y.slice(0, 2000), { ...base, nEstimators: 4 });
    // As training numbered nodes before: both children when their parent splits, depth first, left first.
    const pairs = (f: FlatForest): FlatForest => {
      const to = new Int32Array(f.feature.length);
      f.treeRoots.forEach((root) => {
        let next = root;
        to[root] = next++;
        const stack = [root];
        while (stack.length) {
          const old = stack.pop()!;
          if (f.feature[old]! < 0) continue;
          to[f.left[old]!] = next++;
          to[f.right[old]!] = next++;
          stack.push(f.right[old]!, f.left[old]!);
        }
      });
      const out = { ...f, feature: new Int16Array(f.feature.length), threshold: new Float64Array(f.feature.length), missingLeft: new Uint8Array(f.feature.length), left: new Int32Array(f.feature.length), right: new Int32Array(f.feature.length) };
      f.feature.forEach((feat, old) => {
        const i = to[old]!;
        out.feature[i] = feat;
        out.threshold[i] = f.threshold[old]!;
        out.missingLeft[i] = f.missingLeft[old]!;
        out.left[i] = feat < 0 ? f.left[old]! : to[f.left[old]!]!;
        out.right[i] = feat < 0 ? -1 : to[f.right[old]!]!;
      });
      return out;
    };
    const old = pairs(forest);
    expect(Array.from(forest.feature).every((f, i) => f < 0 || forest.left[i] === i + 1)).toBe(true);
    expect(Array.from(old.feature).every((f, i) => f < 0 || old.left[i] === i + 1)).toBe(false);
    for (const wide of [false, true]) {
      const now = new ForestPredictor(forest, { wide }).layout;
      const then = new ForestPredictor(old, { wide }).layout;
      expect(then).toEqual(now);
    }
    expect(new ForestPredictor(old).predictRows(rows(2000, 2300))).toEqual(new ForestPredictor(forest).predictRows(rows(2000, 2300)));
  });

  it("refuses a forest whose split points outside its tree", async () => {
    const { forest } = await trainForest(features(0, 600), y.slice(0, 600), { ...base, nEstimators: 2 });
    const split = forest.feature.findIndex((f) => f >= 0);
    const right = Int32Array.from(forest.right);
    right[split] = forest.feature.length + 5;
    expect(() => new ForestPredictor({ ...forest, right })).toThrow(/forest layout: node \d+ has a child outside its tree/);
    // Tree roots out of order, or past the nodes (an empty last tree), in either layout.
    for (const wide of [false, true]) {
      const past = Int32Array.from([...forest.treeRoots, forest.feature.length]);
      expect(() => new ForestPredictor({ ...forest, treeRoots: past }, { wide })).toThrow(/tree 2 has no nodes of its own/);
      const swapped = Int32Array.from([forest.treeRoots[1]!, forest.treeRoots[0]!]);
      expect(() => new ForestPredictor({ ...forest, treeRoots: swapped }, { wide })).toThrow(/has no nodes of its own/);
    }
    // A file of the older numbering whose split reaches a node twice (and another never).
    const left = Int32Array.from(forest.left);
    const at = forest.feature.findIndex((f, i) => f >= 0 && forest.feature[forest.right[i]!]! >= 0);
    left[at] = forest.right[at]!;
    expect(() => new ForestPredictor({ ...forest, left })).toThrow(/tree \d+ is not a tree/);
  });

  it("grows the same tree whether a node's rows are read through the shared data or gathered", () => {
    // Six features: rows padded to eight bytes; eight: no padding. Both gathered four bytes at a time.
    for (const F of [6, 8]) {
      const { features, y, reg } = fixture(8000, F, 3);
      const withMissing = features(0, 8000).map((f, k) => ({ ...f, values: Array.from(f.values as Float64Array, (v, i) => (i % (7 + k) === 0 ? null : v)) }));
      for (const [task, target, maxFeatures] of [["classification", y, "sqrt"], ["regression", reg, "all"]] as const) {
        const prepared = prepareTraining(withMissing, target, { task, classWeight: null });
        const params = treeParams({ ...base, task, maxDepth: 0, maxFeatures }, F, prepared.classes?.length ?? 1);
        const gathered = growTree(prepared.set, params, mulberry32(5));
        // Nodes above 1,000 rows read through the index over the shared data (for "all", those above 2,048 build full histograms).
        const shared = growTree(prepared.set, params, mulberry32(5), 1000);
        expect(shared.feature.length).toBeGreaterThan(500);
        expect(shared).toEqual(gathered);
        // And no node gathered at all.
        expect(growTree(prepared.set, params, mulberry32(5), 0)).toEqual(gathered);
        // A set stored before rows were padded (one byte a feature: gathered byte by byte, unless
        // six bytes happen to be whole words): the same tree.
        const { n, stride } = prepared.set;
        const unpadded = new Uint8Array(n * F);
        for (let i = 0; i < n; i++) unpadded.set(prepared.set.bins.subarray(i * stride, i * stride + F), i * F);
        expect(stride).toBe(8);
        expect(growTree({ ...prepared.set, bins: unpadded, stride: F }, params, mulberry32(5))).toEqual(gathered);
        // Stored so (MTS1) it decodes to one byte a feature; a padded set is MTS2, which the version
        // before refuses rather than misreading it.
        const { set } = prepared;
        const old = encodeBundle("MTS1", { n, nFeatures: F, binnings: prepared.binnings, classes: prepared.classes }, { bins: unpadded, nBins: set.nBins, ...(set.yClass ? { yClass: set.yClass } : { yReg: set.yReg! }) });
        const decoded = decodeTraining(old);
        expect(decoded.set.stride).toBe(F);
        expect(growTree(decoded.set, params, mulberry32(5))).toEqual(gathered);
        expect(() => decodeBundle("MTS1", encodeTraining(prepared))).toThrow(/not a MTS1 file/);
        expect(growTree(decodeTraining(encodeTraining(prepared)).set, params, mulberry32(5))).toEqual(gathered);
      }
    }
  });

  it("grows with two classes (its own packed, scalar path) the tree the general path grows for the same rows", () => {
    // Six features draw two at a node (histogrammed one by one), ten draw three and sixteen four
    // (histogrammed in one pass on the two-class path), thirty draw five (four in one pass, one alone).
    for (const [F, maxFeatures, minSamplesLeaf] of [[6, "sqrt", 1], [10, "sqrt", 1], [16, "sqrt", 1], [30, "sqrt", 1], [6, "all", 3]] as const) {
      const { features, y } = fixture(6000, F, 4);
      const withMissing = features(0, 6000).map((f, k) => ({ ...f, values: Array.from(f.values as Float64Array, (v, i) => (i % (5 + k) === 0 ? null : v)) }));
      const prepared = prepareTraining(withMissing, y, { task: "classification", classWeight: null });
      const params = treeParams({ ...base, maxDepth: 0, maxFeatures, minSamplesLeaf }, F, 2);
      const two = growTree(prepared.set, params, mulberry32(9));
      // A third class no row has: K = 3 takes the general path; with whole-number weights every sum and score is the same.
      const general = growTree(prepared.set, { ...params, nClasses: 3 }, mulberry32(9));
      expect(two.feature.length).toBeGreaterThan(300);
      expect(two.feature).toEqual(general.feature);
      expect(two.bin).toEqual(general.bin);
      expect(two.missingLeft).toEqual(general.missingLeft);
      expect(two.importance).toEqual(general.importance);
      // Internal nodes: their children; leaves: their two classes' values (K apart in leafValues).
      const leaves = (t: typeof two) => Array.from(t.feature, (f, node) => (f < 0 ? Array.from(t.leafValues.subarray(t.left[node]!, t.left[node]! + 2)) : [t.left[node], t.right[node]])).flat();
      expect(Array.from(general.leafValues).filter((_, i) => i % 3 === 2).every((v) => v === 0)).toBe(true);
      expect(leaves(two)).toEqual(leaves(general));
    }
  });

  it("grows, bit for bit, the trees it grew when the fingerprints were recorded (first draws made together, two classes packed)", () => {
    // FNV-1a over the tree read from its root, left before right (each split's feature, bin and
    // missing-goes-left; each leaf's values), and its importances: whatever the nodes' numbering.
    const fingerprint = (t: ReturnType<typeof growTree>) => {
      const K = (t.leafValues.length / t.feature.filter((f) => f < 0).length) | 0;
      const read: number[] = [];
      const visit = (node: number) => {
        const f = t.feature[node]!;
        if (f < 0) {
          read.push(-1, ...t.leafValues.subarray(t.left[node]!, t.left[node]! + K));
          return;
        }
        read.push(f, t.bin[node]!, t.missingLeft[node]!);
        visit(t.left[node]!);
        visit(t.right[node]!);
      };
      visit(0);
      let h = 2166136261;
      for (const a of [Float64Array.from(read), t.importance]) {
        for (const b of new Uint8Array(a.buffer, a.byteOffset, a.byteLength)) h = Math.imul(h ^ b, 16777619) >>> 0;
      }
      return h.toString(16);
    };
    const { features, y, reg } = fixture(5000, 6, 11);
    const withMissing = features(0, 5000).map((f, k) => ({ ...f, values: Array.from(f.values as Float64Array, (v, i) => (i % (6 + k) === 0 ? null : v)) }));
    const rare = y.map((v, i) => (i % 4 === 0 ? v : 0)); // class 1 rare: balanced weights are not whole numbers
    const cases = [
      ["classification", y, "sqrt", 1, null, "861bf68b"],
      ["classification", rare, "sqrt", 1, "balanced", "c088ac49"],
      ["classification", rare, "all", 3, "balanced", "4471221e"],
      ["regression", reg, "all", 1, null, "26c6802b"],
      ["regression", reg, "sqrt", 2, null, "272a6e48"],
    ] as const;
    for (const [task, target, maxFeatures, minSamplesLeaf, classWeight, expected] of cases) {
      const prepared = prepareTraining(withMissing, target, { task, classWeight });
      const params = treeParams({ ...base, task, maxDepth: 0, maxFeatures, minSamplesLeaf }, 6, prepared.classes?.length ?? 1);
      expect(fingerprint(growTree(prepared.set, params, mulberry32(13)))).toBe(expected);
    }
    // A thread keeps its working buffers from tree to tree: a tree grown right after another of
    // its shape (the second case, on the buffers the first just used) is the same as when grown first.
    const grow = ([task, target, maxFeatures, minSamplesLeaf, classWeight]: (typeof cases)[number]) => {
      const prepared = prepareTraining(withMissing, target, { task, classWeight });
      return growTree(prepared.set, treeParams({ ...base, task, maxDepth: 0, maxFeatures, minSamplesLeaf }, 6, prepared.classes?.length ?? 1), mulberry32(13));
    };
    grow(cases[0]);
    expect(fingerprint(grow(cases[1]))).toBe(cases[1][5]);
  });

  it("sends present values left and missing ones right on a cut after the last bin", async () => {
    // x is 5 or missing; the class follows: the only cut puts every present value on one side.
    const n = 400;
    const x = Array.from({ length: n }, (_, i) => (i % 2 ? 5 : null));
    const y = x.map((v) => (v === null ? "b" : "a"));
    const { forest, classes } = await trainForest([{ name: "x", kind: "numeric", values: x }], y, { ...base, nEstimators: 5, maxDepth: 0 });
    const p = new ForestPredictor(forest);
    const label = (v: number) => classes![p.predictRows([[v]])[0]!];
    // A value above every edge seen in training is present, not missing (the cut's threshold was NaN, sending it the missing way).
    expect([label(5), label(1e9), label(-3), label(NaN)]).toEqual(["a", "a", "a", "b"]);
  });

  it("scores a block of rows tree by tree exactly as it scores each row alone", async () => {
    const { forest } = await trainForest(features(0, 2000), y.slice(0, 2000), { ...base, maxDepth: 0 });
    const p = new ForestPredictor(forest);
    const test = rows(2000, 2300).map((r, i) => (i % 4 === 0 ? r.map((v, f) => (f === i % 6 ? NaN : v)) : r));
    const F = 6;
    const x = new Float64Array(test.length * F);
    test.forEach((r, i) => p.encode(r, x, i * F));
    const together = p.accumulateRows(x, test.length, new Float64Array(test.length * 2));
    test.forEach((r, i) => {
      const alone = p.accumulate(p.encode(r), new Float64Array(2));
      expect([together[2 * i], together[2 * i + 1]]).toEqual([alone[0], alone[1]]);
    });
  });

  it("predicts training rows, binned as serving bins them and walked on the training threads, as the assembled forest does on their values", async () => {
    const { features, y, reg } = fixture(3000, 6, 21);
    const withMissing = features(0, 3000).map((f, k) => ({ ...f, values: Array.from(f.values as Float64Array, (v, i) => (i % (4 + k) === 0 ? null : v)) }));
    // A categorical feature that tells the class apart, of rare categories (20 rows each): training
    // rows are binned out of fold, so walking the prepared training bins would not give the served
    // model's predictions.
    const cat: FeatureInput = { name: "c", kind: "categorical", values: y.map((v, i) => `k${v}-${i % 75}`) };
    const inputs = [...withMissing, cat];
    const F = inputs.length;
    const rowsAt = Array.from({ length: 600 }, (_, k) => k * 5);
    for (const [task, target] of [["classification", y], ["regression", reg]] as const) {
      const prepared = prepareTraining(inputs, target, { task, classWeight: null });
      const K = prepared.classes?.length ?? 1;
      const params = treeParams({ ...base, task, maxDepth: 0 }, F, K);
      const reference = binColumns(prepared.binnings, inputs.map((f) => rowsAt.map((r) => f.values[r])), false).bins;
      const { trees } = await growTrees(prepared.set, params, 40, [0, 1, 2, 3, 4, 5, 6], { reference });
      const predictor = new ForestPredictor(assemble(task, K, prepared.binnings, trees, null));
      const x = new Float64Array(rowsAt.length * F);
      rowsAt.forEach((i, r) => predictor.encode(inputs.map((f) => f.values[i] ?? null), x, r * F));
      const sums = predictor.accumulateRows(x, rowsAt.length, new Float64Array(rowsAt.length * K));
      const expected = rowsAt.map((_, r) => (K === 1 ? sums[r]! : sums[2 * r + 1]! > sums[2 * r]! ? 1 : 0));
      expect(Array.from(referencePredictions(trees, K))).toEqual(expected);
      // The training rows' own (out-of-fold) bins differ for the category: they are not what is served.
      const oof = rowsAt.filter((i, r) => prepared.set.bins[i * prepared.set.stride + F - 1] !== reference[r * F + F - 1]);
      expect(oof.length).toBeGreaterThan(0);
    }
  });

  it("round-trips through its binary file, loading in milliseconds", async () => {
    const { forest } = await trainForest(features(0, 2000), y.slice(0, 2000), base);
    const bytes = encodeForest(forest, { note: "x" });
    const t0 = performance.now();
    const { forest: back, extra } = decodeForest(bytes);
    const loadMs = performance.now() - t0;
    expect(extra).toEqual({ note: "x" });
    expect(new ForestPredictor(back).predictRows(rows(2000, 2100))).toEqual(new ForestPredictor(forest).predictRows(rows(2000, 2100)));
    expect(loadMs).toBeLessThan(1000); // generous: a sanity bound, the benchmark measures it
  });

  it("hands over, written in parts, the model its file reads back as — without joining the parts", async () => {
    const { forest } = await trainForest(features(0, 800), y.slice(0, 800), { ...base, nEstimators: 4 });
    const file: ModelFile = {
      format: "millrace-model/1",
      engine: "histogram",
      task: "classification",
      target: "y",
      features: forest.binnings.map((b) => b.name),
      classes: [0, 1],
      lineage: { rawColumns: [], steps: [{ kind: "fill", values: { a: 1 } } as never] },
      trainedRows: 800,
      oobScore: Number.NaN,
      flat: forest,
    };
    const parts = modelParts(file);
    expect(parts.length).toBeGreaterThan(8);
    const read = parseModelFile(joinParts(parts));
    const handed = modelAsRead(file, parts);
    // The same metadata as read back (NaN written as null, old steps upgraded) and the same arrays.
    expect(handed).toEqual(read);
    expect(handed.engine === "histogram" && handed.flat.threshold).toBe(forest.threshold);
    expect(read.lineage.steps[0]).toEqual({ type: "fill-missing", params: { values: { a: 1 } } });
  });

  it("loaded from its file, hands scoring threads a layout that holds none of the file's bytes", async () => {
    // Posting a typed array to a thread copies its whole buffer: a layout array that is a view on
    // the file's bytes would copy the model file (140 MB for the flights forest) to every thread.
    const trained = (await trainForest(features(0, 600), y.slice(0, 600), { ...base, nEstimators: 3 })).forest;
    const { forest } = decodeForest(encodeForest(trained, { note: "x" }));
    const { layout } = new ForestPredictor(forest);
    for (const [name, a] of Object.entries(layout)) {
      if (!ArrayBuffer.isView(a)) continue;
      const own = a.buffer instanceof SharedArrayBuffer || a.buffer.byteLength === a.byteLength;
      expect(own, `layout.${name}`).toBe(true);
    }
  });
});
