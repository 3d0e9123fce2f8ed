import { describe, expect, it } from 'vitest';
import { parseAction } from './action';
import { webshopSpec, createWebshopEnv } from './index';
import type { WebshopEnv } from './webshop-env';
import { getWorld } from './world';
import { xorshift32 } from '../../core/random';

const world = getWorld();

function fresh(task = 'g0000', seed = 0, maxSteps?: number): WebshopEnv {
  const env = createWebshopEnv(maxSteps === undefined ? {} : { maxSteps });
  env.reset(task, seed);
  return env;
}

/** Plays until the item page of the goal's target is shown (search, then page through results). */
function openTarget(env: WebshopEnv): void {
  const goal = env.currentGoal!;
  const target = world.products[goal.productIndex];
  env.step(`search[${goal.searchQuery}]`);
  for (let i = 0; i < 5 && !env.admissibleActions().includes(`click[${target.asin}]`); i++) env.step('click[Next >]');
  expect(env.step(`click[${target.asin}]`).valid).toBe(true);
}

describe('webshop spec and tasks', () => {
  it('exposes train 1624 and test 200 tasks with stable ids', () => {
    expect(webshopSpec.name).toBe('webshop');
    expect(webshopSpec.splits).toEqual({ train: 1624, test: 200 });
    expect(webshopSpec.maxSteps).toBe(10);
    expect(webshopSpec.task('test', 0).id).toBe('g0000');
    expect(webshopSpec.task('train', 0).id).toBe('g0200');
    expect(webshopSpec.task('train', 1623).id).toBe('g1823');
    expect(webshopSpec.task('test', 5).label).toBe(world.goals[5].instruction_text);
    expect(() => webshopSpec.task('test', 200)).toThrow(RangeError);
    expect(() => webshopSpec.task('test', 200)).toThrow(/\[0, 199\]/);
    expect(() => webshopSpec.task('seen-test', 0)).toThrow(/no split "seen-test"/);
    expect(() => webshopSpec.create().reset('nope', 0)).toThrow(RangeError);
  });
});

describe('pages in text mode', () => {
  it('search, results, item, sub pages and purchase, joined by [SEP]', () => {
    const env = createWebshopEnv();
    const obs = env.reset('g0003', 0);
    const goal = env.currentGoal!;
    expect(obs.goal).toBe(goal.instruction_text);
    expect(obs.text).toBe(`WebShop [SEP] Instruction: [SEP] ${goal.instruction_text} [SEP] Search`);

    const results = env.step(`search[${goal.searchQuery}]`);
    const hits = world.search.search(goal.searchQuery);
    const first = hits.slice(0, 10).map((i) => world.products[i]);
    expect(results.valid).toBe(true);
    expect(results.observation.text).toBe(
      [
        'Instruction:', goal.instruction_text, 'Back to Search', `Page 1 (Total results: ${hits.length})`, 'Next >',
        ...first.flatMap((p) => [p.asin, p.Title, p.Price]),
      ].join(' [SEP] '),
    );
    const page2 = env.step('click[Next >]').observation.text;
    expect(page2).toContain(`Page 2 (Total results: ${hits.length}) [SEP] < Prev [SEP] Next > [SEP] ${world.products[hits[10]].asin}`);
    env.step('click[< Prev]');

    const p = first[0];
    const item = env.step(`click[${p.asin}]`).observation.text;
    const optionText = Object.entries(p.options).flatMap(([n, vs]) => [n, ...vs]);
    expect(item).toBe(
      [
        'Instruction:', goal.instruction_text, 'Back to Search', '< Prev', ...optionText, p.Title, `Price: ${p.Price}`,
        `Rating: ${p.Rating}`, 'Description', 'Features', 'Reviews', 'Buy Now',
      ].join(' [SEP] '),
    );
    const head = ['Instruction:', goal.instruction_text, 'Back to Search', '< Prev'].join(' [SEP] ');
    expect(env.step('click[Description]').observation.text).toBe(`${head} [SEP] ${p.Description}`);
    env.step('click[< Prev]');
    expect(env.step('click[Features]').observation.text).toBe(`${head} [SEP] ${p.BulletPoints.join(' [SEP] ')}`);
    env.step('click[< Prev]');
    const reviews = env.step('click[Reviews]').observation.text;
    expect(reviews).toBe(
      p.Reviews.length === 0 ? `${head} [SEP] No reviews found` : `${head} [SEP] ${p.Reviews.map((r) => `"${r.title}" [SEP] ${r.score} [SEP] ${r.body}`).join(' [SEP] ')}`,
    );
  });

  it('offers the page clickables as admissible actions, in page order', () => {
    const env = fresh('g0010');
    const goal = env.currentGoal!;
    expect(env.admissibleActions()[0]).toBe(`search[${goal.searchQuery}]`);
    expect(env.admissibleActions().every((a) => a.startsWith('search['))).toBe(true);
    env.step(`search[${goal.searchQuery}]`);
    const adm = env.admissibleActions();
    expect(adm.slice(0, 2)).toEqual(['click[Back to Search]', 'click[Next >]']);
    expect(adm).toHaveLength(12);
    env.step(adm[2]);
    const p = world.products[world.search.search(goal.searchQuery)[0]];
    expect(env.admissibleActions()).toEqual([
      'click[Back to Search]', 'click[< Prev]', ...Object.values(p.options).flat().map((v) => `click[${v}]`),
      'click[Description]', 'click[Features]', 'click[Reviews]', 'click[Buy Now]',
    ]);
    // Every admissible action is valid.
    for (const a of env.admissibleActions()) {
      const probe = fresh('g0010');
      probe.step(`search[${goal.searchQuery}]`);
      probe.step(adm[2]);
      expect(probe.step(a).valid, a).toBe(true);
    }
  });
});

describe('actions', () => {
  it("parses like WebShop's re.match(r'(.+)\\[(.+)\\]')", () => {
    expect(parseAction('search[red shoes]')).toEqual({ name: 'search', arg: 'red shoes' });
    expect(parseAction('search[red shoes] please')).toEqual({ name: 'search', arg: 'red shoes' });
    expect(parseAction('click[a[b]c]')).toEqual({ name: 'click[a', arg: 'b]c' });
    expect(parseAction('click[x]\nclick[y]')).toEqual({ name: 'click', arg: 'x' });
    expect(parseAction('search[]')).toBeNull();
    expect(parseAction('[x]')).toBeNull();
    expect(parseAction('click[\n]')).toBeNull();
    // Agrees with the equivalent backtracking regex on random strings over the special chars.
    const re = /^([^\n]+)\[([^\n]+)\]/;
    const alphabet = ['a', '[', ']', '\n', ' ', 'c'];
    let x = 12345;
    for (let n = 0; n < 3000; n++) {
      let s = '';
      const len = n % 9;
      for (let i = 0; i < len; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        s += alphabet[x % alphabet.length];
      }
      const m = re.exec(s);
      expect(parseAction(s), JSON.stringify(s)).toEqual(m ? { name: m[1], arg: m[2] } : null);
    }
  });

  it('anything malformed or not on the page changes nothing and is invalid', () => {
    const env = fresh('g0001');
    const goal = env.currentGoal!;
    const searchText = env.step('look').observation.text;
    for (const bad of ['', 'search[]', 'Search[shoes]', 'click[search]', 'click[Search]', 'click[Buy Now]', 'click[next >]', 'find[x]', 'search shoes', 'click[B000000000]']) {
      const r = env.step(bad);
      expect(r.valid, bad).toBe(false);
      expect(r.reward).toBe(0);
      expect(r.observation.text).toBe(searchText);
    }
    const env2 = fresh('g0001', 0, 50);
    const results = env2.step(`search[${goal.searchQuery}]`).observation.text;
    const key = env2.stateKey();
    for (const bad of ['click[< Prev]', 'click[Buy Now]', 'click[Description]', 'click[small]', 'click[]', 'click[back to search', 'search[', '\u0000']) {
      const r = env2.step(bad);
      expect(r.valid, bad).toBe(false);
      expect(r.observation.text).toBe(results);
      expect(env2.stateKey()).toBe(key);
    }
  });

  it('lowercases the argument: clicks are case-insensitive, and a search works from any page', () => {
    const env = fresh('g0002');
    const goal = env.currentGoal!;
    env.step(`search[${goal.searchQuery.toUpperCase()}]`);
    const asin = world.products[world.search.search(goal.searchQuery)[0]].asin;
    expect(env.step(`click[${asin.toLowerCase()}]`).valid).toBe(true);
    expect(env.step('CLICK[Description]').valid).toBe(false); // the action name is case-sensitive
    expect(env.step('click[DESCRIPTION]').valid).toBe(true);
    const r = env.step('search[yoga mat]');
    expect(r.valid).toBe(true);
    expect(r.observation.text).toContain('Page 1 (Total results:');
  });

  it("supports WebShop's special listings <r>, <a>, <c>, <q>", () => {
    const env = fresh('g0004', 7, 50);
    const r1 = env.step('search[<r>]').observation.text;
    expect(r1).toContain('(Total results: 50)');
    const again = fresh('g0004', 7, 50);
    expect(again.step('search[<r>]').observation.text).toBe(r1);
    expect(fresh('g0004', 8, 50).step('search[<r>]').observation.text).not.toBe(r1);
    expect(env.step('search[<c> pets]').observation.text).toContain(`(Total results: ${world.products.filter((p) => p.category === 'pets').length})`);
    expect(env.step('search[<q> yoga mat]').observation.text).toContain('(Total results: 20)');
    const attr = world.products[0].Attributes[0];
    const n = world.products.filter((p) => p.Attributes.includes(attr)).length;
    expect(env.step(`search[<a> ${attr}]`).observation.text).toContain(`(Total results: ${n})`);
  });
});

describe('navigation and purchase', () => {
  it('keeps options through sub pages, clears them when going back to results', () => {
    const env = fresh('g0005', 0, 50);
    const goal = env.currentGoal!;
    const [name, value] = Object.entries(goal.goal_options)[0];
    openTarget(env);
    env.step(`click[${value}]`);
    const withOption = env.stateKey();
    expect(withOption).toContain(`${name}=${value}`);
    env.step('click[Features]');
    env.step('click[< Prev]');
    expect(env.stateKey()).toBe(withOption);
    env.step('click[< Prev]'); // back to results: WebShop resets the selected options
    expect(env.stateKey()).toContain('|results|');
    env.step(`click[${goal.asin}]`);
    expect(env.stateKey()).not.toContain(`${name}=${value}`);
    const bought = env.step('click[Buy Now]');
    expect(bought.done).toBe(true);
    expect(bought.info.options).toEqual({});
  });

  it('scores a purchase with WebShop\'s reward and reports the sub-scores', () => {
    const env = fresh('g0006');
    const goal = env.currentGoal!;
    openTarget(env);
    const nOpts = Object.keys(goal.goal_options).length;
    // The right product without its options: (A + 0 + 1) / (A + O + 1).
    const r = env.step('click[Buy Now]');
    const a = goal.attributes.length;
    expect(r.done).toBe(true);
    expect(r.valid).toBe(true);
    expect(r.reward).toBeCloseTo((a + 1) / (a + nOpts + 1), 12);
    // A purchase below full reward ends the episode but is not a success (WebShop's success rate).
    expect(nOpts).toBeGreaterThan(0);
    expect(r.reward).toBeGreaterThan(0);
    expect(r.won).toBe(false);
    expect(r.info).toMatchObject({ purchased: goal.asin, r_type: 1, query_match: true, r_att: 1, num_attr_matches: a, num_option_matches: 0, r_price: true });
    expect(r.observation.text).toMatch(/^Thank you for shopping with us! \[SEP\] .* \[SEP\] Your score \(min 0\.0, max 1\.0\) \[SEP\] 0\.\d+$/);
    const after = env.step('click[Buy Now]');
    expect(after).toMatchObject({ valid: false, done: true, reward: 0, won: false });
    expect(env.expert()).toBeNull();
    expect(env.admissibleActions()).toEqual([]);
  });

  it('ends after maxSteps with reward 0, and maxSteps is configurable', () => {
    const env = fresh('g0007');
    let last;
    for (let i = 0; i < 10; i++) last = env.step('click[nothing]');
    expect(last!.done).toBe(true);
    expect(last!.reward).toBe(0);
    expect(last!.won).toBe(false);
    expect(last!.info.truncated).toBe(true);
    const short = fresh('g0007', 0, 2);
    expect(short.step('look').done).toBe(false);
    expect(short.step('look').done).toBe(true);
    expect(() => createWebshopEnv({ maxSteps: 0 })).toThrow(RangeError);
    // A purchase on the last allowed step still counts.
    const edge = fresh('g0008', 0, 3);
    const goal = edge.currentGoal!;
    edge.step(`search[${goal.searchQuery}]`);
    const hit = world.search.search(goal.searchQuery).slice(0, 10).map((i) => world.products[i].asin);
    edge.step(`click[${hit[0]}]`);
    const end = edge.step('click[Buy Now]');
    expect(end.done).toBe(true);
    expect(end.info.purchased).toBe(hit[0]);
    expect(end.won).toBe(end.reward === 1);
  });

  it('is won only by a full-reward purchase, with the options the goal names', () => {
    const env = fresh('g0006');
    const goal = env.currentGoal!;
    openTarget(env);
    for (const value of Object.values(goal.goal_options)) expect(env.step(`click[${value}]`).won).toBe(false);
    const r = env.step('click[Buy Now]');
    expect(r).toMatchObject({ done: true, reward: 1, won: true, info: { purchased: goal.asin } });
  });
});

describe('determinism and state keys', () => {
  it('the same task, seed and actions give the same transcript', () => {
    const play = () => {
      const env = fresh('g0100', 3);
      const out: string[] = [];
      let x = 99;
      for (let i = 0; i < 40; i++) {
        const adm = env.admissibleActions();
        x = (x * 1103515245 + 12345) >>> 0;
        const a = adm.length > 0 && x % 5 !== 0 ? adm[x % adm.length] : 'search[<r>]';
        const r = env.step(a);
        out.push(JSON.stringify([a, r.observation.text, r.reward, r.done, r.valid, env.stateKey()]));
        if (r.done) env.reset('g0100', 3);
      }
      return out;
    };
    expect(play()).toEqual(play());
  });

  it('identical states give identical keys, different states different keys', () => {
    const a = fresh('g0011', 0, 50);
    const b = fresh('g0011', 5, 50);
    const goal = a.currentGoal!;
    expect(a.stateKey()).toBe(b.stateKey());
    a.step(`search[${goal.searchQuery}]`);
    b.step('search[something else]');
    b.step('click[Back to Search]');
    b.step(`search[${goal.searchQuery}]`);
    expect(a.stateKey()).toBe(b.stateKey());
    const opts = Object.entries(world.products[goal.productIndex].options);
    openTarget(a);
    openTarget(b);
    if (opts.length >= 2) {
      a.step(`click[${opts[0][1][0]}]`);
      a.step(`click[${opts[1][1][0]}]`);
      b.step(`click[${opts[1][1][0]}]`);
      b.step(`click[${opts[0][1][0]}]`);
      expect(a.stateKey()).toBe(b.stateKey()); // selection order does not matter
    }
    b.step(`click[${opts[0][1][1]}]`);
    expect(a.stateKey()).not.toBe(b.stateKey());
    expect(fresh('g0012').stateKey()).not.toBe(fresh('g0011').stateKey());
  });
});

describe('quick fuzz', () => {
  it('20k random and malformed actions: no exceptions, invalid means same page', () => {
    const env = createWebshopEnv();
    const rnd = xorshift32(2024);
    const junk = ['', 'click[', 'search[ ]', 'click[ buy now ]', 'click[[buy now]]', '\ud800[x]', 'search[\u0000]', 'click[<r>]', 'search[<a>]', 'search[<c>]', 'search[<q>]', 'x'.repeat(5000) + '[y]'];
    let task = 0;
    let prev = env.reset('g0000', 0).text;
    let valid = 0;
    const failures: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const adm = env.admissibleActions();
      const u = rnd();
      let a: string;
      if (u < 0.5 && adm.length) a = adm[Math.floor(rnd() * adm.length)];
      else if (u < 0.7 && adm.length) a = adm[Math.floor(rnd() * adm.length)].replace(/[\]a-z]/, (c) => (rnd() < 0.5 ? '' : c.toUpperCase()));
      else a = junk[Math.floor(rnd() * junk.length)];
      const r = env.step(a);
      // expect() per step would dominate the run; collect failures instead.
      if (!(r.reward >= 0 && r.reward <= 1)) failures.push(`reward ${r.reward} for ${a}`);
      if (!r.valid && r.observation.text !== prev) failures.push(`invalid ${JSON.stringify(a)} changed the page`);
      if (r.valid) valid++;
      if (adm.includes(a) && !r.valid) failures.push(`admissible ${a} was invalid`);
      env.stateKey();
      if (i % 16 === 0) env.expert();
      prev = r.observation.text;
      if (r.done) prev = env.reset(`g${String(++task % 1824).padStart(4, '0')}`, task).text;
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(valid).toBeGreaterThan(5000);
  });
});
