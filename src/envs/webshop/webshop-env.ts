// The webshop environment: WebShop's text environment (web_agent_text_env.py and SimServer in
// front of engine.py and goal.py) re-implemented over the generated catalogue.
//
// Faithful to WebShop as SPA used it:
// - actions are `search[keywords]` and `click[value]`; the argument is lowercased and a click
//   must name one of the current page's clickables (button texts, product ASINs, option values),
//   never "search". Anything else changes nothing: same page, reward 0 (valid=false here);
// - a search works from any page (WebShop's text env does not check for the search bar), but
//   search candidates are only offered as admissible on the search page, where the bar is;
// - results come 10 per page from the top 50 hits; "<r>", "<a> attr", "<c> category" and
//   "<q> query" are WebShop's special listings ("<r>" draws from the episode seed);
// - "< Prev" goes from results to the previous page, from an item back to its results (which
//   clears selected options) and from Description/Features/Reviews back to the item;
// - the episode ends at "Buy Now" with get_reward, or after maxSteps actions (default 10, as in
//   SPA/ETO) with reward 0.
// The reward is clamped to [0, 1] for the RL contract; WebShop's own number, which can exceed 1
// when more options are selected than the goal names, is kept in info.raw_reward.

import type { Env, Observation, StepResult } from '../env';
import type { Product } from './catalogue';
import { CATALOGUE_VERSION } from './catalogue';
import { expertAction, perfectPurchasePlan, rewardGoal, type ExpertView } from './expert';
import { GOALS_VERSION, type Goal } from './goals';
import { parseAction } from './action';
import {
  BACK_TO_SEARCH, BUY_NOW, NEXT_PAGE, PREV_PAGE, PRODUCT_WINDOW, SUB_PAGES, donePage, itemPage, resultsPage, searchPage, subPage,
  type SubPage,
} from './pages';
import { pyStrip } from './py-text';
import { webshopReward } from './reward';
import { Sfc32 } from '../../core/random';
import { SPLITS_VERSION, parseTaskId } from './splits';
import { getWorld, type World } from './world';

export const PAGES_VERSION = 1;
export const WEBSHOP_VERSION = `1.0.0 (catalogue ${CATALOGUE_VERSION}, goals ${GOALS_VERSION}, splits ${SPLITS_VERSION}, pages ${PAGES_VERSION}, reward thefuzz-0.19/difflib, nouns 1)`;
export const DEFAULT_MAX_STEPS = 10;
const SEARCH_RETURN_N = 50;

type PageKind = 'search' | 'results' | 'item' | 'sub' | 'done';

interface Clickable {
  label: string;
  kind: 'button' | 'product' | 'option';
  product?: number;
  option?: string;
}

export interface WebshopEnvOptions {
  maxSteps?: number;
}

export class WebshopEnv implements Env {
  readonly name = 'webshop';
  readonly version = WEBSHOP_VERSION;
  readonly maxSteps: number;
  private readonly world: World;

  private goal: Goal | null = null;
  private seed = 0;
  private page: PageKind = 'search';
  /** Identifies the result list for stateKey: the keywords, or the draw for "<r>". */
  private resultsTag = '';
  private results: readonly number[] = [];
  private pageNum = 1;
  private asin: number | null = null;
  private readonly options = new Map<string, string>();
  private sub: SubPage | null = null;
  private steps = 0;
  private done = false;
  private finalReward = 0;
  private searched: string[] = [];
  private plans = new Map<number, Map<string, string> | null>();
  private searchCandidates: string[] = [];
  /** Product ASINs and option values shown so far this episode, first-seen order (plausibleActions). */
  private seenLabels: string[] = [];

  private textCache: string | null = null;
  private clickCache: Map<string, Clickable> | null = null;
  private admissibleCache: string[] | null = null;
  private keyCache: string | null = null;

  constructor(opts: WebshopEnvOptions = {}) {
    const maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
    if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError(`webshop maxSteps must be a positive integer, got ${maxSteps}`);
    this.maxSteps = maxSteps;
    this.world = getWorld();
  }

  reset(taskId: string, seed: number): Observation {
    const goal = this.world.goals[parseTaskId(taskId)];
    this.goal = goal;
    this.seed = seed;
    this.toSearchPage();
    this.steps = 0;
    this.done = false;
    this.finalReward = 0;
    this.searched = [];
    this.seenLabels = [];
    this.plans = plansForGoal(goal.index);
    // The search bar takes any text; these are the searches offered as discrete choices: the
    // goal's attributes + noun (the expert's), the bare noun, and the instruction minus price.
    const core = goal.instruction_text.split(', and price lower than')[0];
    this.searchCandidates = [...new Set([goal.searchQuery, this.world.products[goal.productIndex].noun, core])].map((q) => `search[${q}]`);
    this.invalidate();
    return this.observation();
  }

  step(action: string): StepResult {
    const goal = this.requireGoal();
    if (this.done) {
      return { observation: this.observation(), reward: 0, done: true, valid: false, won: false, info: { page: this.page, note: 'the episode is over' } };
    }
    this.steps++;
    let valid = false;
    let reward = 0;
    let won = false;
    let info: Record<string, unknown> = {};

    const parsed = typeof action === 'string' ? parseAction(action) : null;
    if (parsed) {
      const arg = parsed.arg.toLowerCase();
      if (parsed.name === 'search' && arg !== '') {
        this.doSearch(arg);
        valid = true;
      } else if (parsed.name === 'click' && arg !== 'search') {
        const target = this.clickables().get(arg);
        if (target) {
          valid = true;
          const purchase = this.doClick(arg, target, goal);
          if (purchase) {
            reward = purchase.reward;
            // WebShop counts a purchase as a success only at full reward (its "success rate"):
            // a partly matching product ends the episode with 0 < reward < 1 and is not won.
            won = reward >= 1;
            info = purchase.info;
          }
        }
      }
    }

    if (valid) this.markSeen();

    if (!this.done && this.steps >= this.maxSteps) {
      this.done = true;
      info.truncated = true;
    }
    info.page = this.page;
    return { observation: this.observation(), reward, done: this.done, valid, won, info };
  }

  admissibleActions(): string[] {
    if (!this.admissibleCache) {
      const goal = this.requireGoal();
      if (this.done) {
        this.admissibleCache = [];
      } else if (this.page === 'search') {
        this.admissibleCache = this.searchCandidates;
      } else if (this.page === 'item') {
        this.admissibleCache = this.itemActions(this.world.products[this.asin as number]);
      } else {
        this.admissibleCache = [...this.clickables().values()].map((c) => `click[${c.label}]`);
      }
    }
    // A copy: callers may sort or filter it without corrupting the cache.
    return this.admissibleCache.slice();
  }

  /**
   * Well-formed clicks that do nothing here (Env.plausibleActions): WebShop's buttons that are not
   * on this page ("Buy Now" on a results page, "Next >" on an item page...), "Search" (a button
   * the text env never lets one click), and products and option values seen earlier in the
   * episode that are not on this page. Searches are left out: WebShop runs a search from any
   * page, so one is never ineffective.
   */
  plausibleActions(): string[] {
    this.requireGoal();
    if (this.done) return [];
    const here = this.clickables();
    const out = new Set<string>();
    for (const label of [BACK_TO_SEARCH, PREV_PAGE, NEXT_PAGE, ...SUB_PAGES, BUY_NOW, 'Search', ...this.seenLabels]) {
      const key = label.toLowerCase();
      if (key === 'search' || !here.has(key)) out.add(`click[${label}]`);
    }
    return [...out].sort();
  }

  /** After a valid step: remember the products and option values this page shows. */
  private markSeen(): void {
    const add = (label: string) => {
      if (!this.seenLabels.includes(label)) this.seenLabels.push(label);
    };
    if (this.page === 'results') for (const p of this.pageItems()) add(p.asin);
    else if (this.page === 'item') for (const values of Object.values(this.world.products[this.asin as number].options)) for (const v of values) add(v);
  }

  stateKey(): string {
    if (this.keyCache === null) {
      const goal = this.requireGoal();
      const opts = [...this.options].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(';');
      const asin = this.asin === null ? '' : this.world.products[this.asin].asin;
      switch (this.page) {
        case 'search':
          this.keyCache = `${goal.index}|search`;
          break;
        case 'results':
          this.keyCache = `${goal.index}|results|${this.resultsTag}|${this.pageNum}`;
          break;
        case 'item':
          this.keyCache = `${goal.index}|item|${this.resultsTag}|${this.pageNum}|${asin}|${opts}`;
          break;
        case 'sub':
          this.keyCache = `${goal.index}|sub|${this.resultsTag}|${this.pageNum}|${asin}|${opts}|${this.sub}`;
          break;
        case 'done':
          this.keyCache = `${goal.index}|done|${asin}|${opts}`;
          break;
      }
      // A step-capped episode is over whatever page it stopped on.
      if (this.done && this.page !== 'done') this.keyCache += '|over';
    }
    return this.keyCache as string;
  }

  expert(): string | null {
    const goal = this.requireGoal();
    if (this.done) return null;
    const target = this.world.products[goal.productIndex];
    return expertAction(this.expertView(), goal, target, (p) => this.planFor(p, goal));
  }

  /** Read-only facts for UIs and tests. */
  get currentGoal(): Goal | null {
    return this.goal;
  }

  get stepCount(): number {
    return this.steps;
  }

  // ---- transitions ----

  private doSearch(arg: string): void {
    this.results = this.topN(arg);
    this.page = 'results';
    this.pageNum = 1;
    this.asin = null;
    this.options.clear();
    this.sub = null;
    this.searched.push(arg);
    this.invalidate();
  }

  /** An empty search page: no results, no product, no options (as after reset). */
  private toSearchPage(): void {
    this.page = 'search';
    this.resultsTag = '';
    this.results = [];
    this.pageNum = 1;
    this.asin = null;
    this.options.clear();
    this.sub = null;
  }

  private topN(arg: string): readonly number[] {
    const { products, byAttribute, search } = this.world;
    const keywords = arg.split(' ');
    const head = keywords[0];
    this.resultsTag = arg;
    if (head === '<r>') {
      const goal = this.requireGoal();
      const rng = Sfc32.of(`webshop/random-listing/${goal.index}/${this.seed}/${this.steps}`);
      this.resultsTag = `<r>#${this.seed}/${this.steps}`;
      return rng.sample(products.map((p) => p.index), SEARCH_RETURN_N);
    }
    if (head === '<a>') {
      return byAttribute.get(pyStrip(keywords.slice(1).join(' '))) ?? [];
    }
    if (head === '<c>') {
      // WebShop reads only the word after "<c>" (and raises when there is none).
      const category = pyStrip(keywords[1] ?? '');
      return products.filter((p) => p.category === category).map((p) => p.index);
    }
    if (head === '<q>') {
      const query = pyStrip(keywords.slice(1).join(' '));
      return products.filter((p) => p.query === query).map((p) => p.index);
    }
    return search.search(arg);
  }

  private doClick(key: string, target: Clickable, goal: Goal): { reward: number; info: Record<string, unknown> } | null {
    if (key === 'buy now') return this.purchase(goal);
    if (key === 'back to search') {
      this.toSearchPage();
    } else if (key === 'next >' && this.page === 'results') {
      this.pageNum++;
    } else if (key === '< prev' && this.page === 'results') {
      this.pageNum--;
    } else if (key === '< prev' && this.page === 'sub') {
      this.page = 'item';
      this.sub = null;
    } else if (key === '< prev' && this.page === 'item') {
      this.page = 'results';
      this.asin = null;
      this.options.clear();
    } else if (target.kind === 'button' && SUB_PAGES.some((s) => s.toLowerCase() === key)) {
      this.page = 'sub';
      this.sub = SUB_PAGES.find((s) => s.toLowerCase() === key) as SubPage;
    } else if (target.kind === 'product') {
      this.page = 'item';
      this.asin = target.product as number;
    } else if (target.kind === 'option') {
      this.options.set(target.option as string, key);
      this.page = 'item';
    }
    this.invalidate();
    return null;
  }

  private purchase(goal: Goal): { reward: number; info: Record<string, unknown> } {
    const product = this.world.products[this.asin as number];
    const r = webshopReward(product, rewardGoal(goal), product.price, Object.fromEntries(this.options));
    const reward = Math.min(1, Math.max(0, r.reward));
    this.page = 'done';
    this.done = true;
    this.finalReward = reward;
    this.invalidate();
    return {
      reward,
      info: {
        purchased: product.asin,
        target: goal.asin,
        options: Object.fromEntries(this.options),
        price: product.price,
        raw_reward: r.reward,
        r_type: r.r_type,
        query_match: r.query_match,
        category_match: r.category_match,
        title_score: r.title_score,
        r_att: r.r_att,
        w_att: r.w_att,
        num_attr_matches: r.num_attr_matches,
        r_option: r.r_option,
        w_option: r.w_option,
        num_option_matches: r.num_option_matches,
        r_price: r.r_price,
        w_price: r.w_price,
      },
    };
  }

  // ---- views ----

  private requireGoal(): Goal {
    if (!this.goal) throw new Error('webshop: call reset(taskId, seed) before using the environment');
    return this.goal;
  }

  private invalidate(): void {
    this.textCache = null;
    this.clickCache = null;
    this.admissibleCache = null;
    this.keyCache = null;
  }

  private pageItems(): Product[] {
    const start = (this.pageNum - 1) * PRODUCT_WINDOW;
    return this.results.slice(start, start + PRODUCT_WINDOW).map((i) => this.world.products[i]);
  }

  private observation(): Observation {
    const goal = this.requireGoal();
    if (this.textCache === null) {
      const instruction = goal.instruction_text;
      switch (this.page) {
        case 'search':
          this.textCache = searchPage(instruction);
          break;
        case 'results':
          this.textCache = resultsPage(instruction, this.pageNum, this.results.length, this.pageItems());
          break;
        case 'item':
          this.textCache = itemPage(instruction, this.world.products[this.asin as number]);
          break;
        case 'sub':
          this.textCache = subPage(instruction, this.world.products[this.asin as number], this.sub as SubPage);
          break;
        case 'done':
          this.textCache = donePage(this.world.products[this.asin as number].asin, this.options, this.finalReward);
          break;
      }
    }
    return { text: this.textCache as string, goal: goal.instruction_text };
  }

  /**
   * Item-page actions in page order (options sit between "< Prev" and the title). A label
   * counts only if a click reaches it: an option value shadows a button of the same text.
   * They depend on the product alone, so they are built once per product.
   */
  private itemActions(p: Product): string[] {
    let out = ITEM_ACTIONS.get(p);
    if (!out) {
      const m = this.clickables();
      const labels = [BACK_TO_SEARCH, PREV_PAGE, ...Object.values(p.options).flat(), ...SUB_PAGES, BUY_NOW];
      const set = new Set<string>();
      for (const label of labels) {
        const c = m.get(label.toLowerCase());
        if (c && c.label === label) set.add(`click[${label}]`);
      }
      out = [...set];
      ITEM_ACTIONS.set(p, out);
    }
    return out;
  }

  /** WebShop's text_to_clickable: lowercased button texts and ASINs, then option values (which win on a clash). */
  private clickables(): Map<string, Clickable> {
    if (this.clickCache) return this.clickCache;
    const m = new Map<string, Clickable>();
    const button = (label: string) => m.set(label.toLowerCase(), { label, kind: 'button' });
    switch (this.page) {
      case 'search':
        button('Search');
        break;
      case 'results': {
        button(BACK_TO_SEARCH);
        if (this.pageNum > 1) button(PREV_PAGE);
        if (this.pageNum * PRODUCT_WINDOW < this.results.length) button(NEXT_PAGE);
        for (const p of this.pageItems()) m.set(p.asin.toLowerCase(), { label: p.asin, kind: 'product', product: p.index });
        break;
      }
      case 'item': {
        button(BACK_TO_SEARCH);
        button(PREV_PAGE);
        for (const s of SUB_PAGES) button(s);
        button(BUY_NOW);
        for (const [name, values] of Object.entries(this.world.products[this.asin as number].options)) {
          for (const v of values) m.set(v, { label: v, kind: 'option', option: name });
        }
        break;
      }
      case 'sub':
        button(BACK_TO_SEARCH);
        button(PREV_PAGE);
        break;
      case 'done':
        break;
    }
    this.clickCache = m;
    return m;
  }

  private expertView(): ExpertView {
    switch (this.page) {
      case 'search':
        return { page: 'search', searched: this.searched };
      case 'results':
        return { page: 'results', items: this.pageItems(), hasNext: this.pageNum * PRODUCT_WINDOW < this.results.length };
      case 'item':
        return { page: 'item', product: this.world.products[this.asin as number], options: this.options };
      case 'sub':
        return { page: 'sub' };
      case 'done':
        return { page: 'done' };
    }
  }

  private planFor(p: Product, goal: Goal): Map<string, string> | null {
    let plan = this.plans.get(p.index);
    if (plan === undefined) {
      plan = perfectPurchasePlan(p, goal);
      this.plans.set(p.index, plan);
    }
    return plan;
  }
}

const ITEM_ACTIONS = new WeakMap<Product, string[]>();

/** Purchase plans depend only on (goal, product), so every env in the thread shares them. */
const PLAN_CACHE = new Map<number, Map<number, Map<string, string> | null>>();

function plansForGoal(goalIndex: number): Map<number, Map<string, string> | null> {
  let m = PLAN_CACHE.get(goalIndex);
  if (!m) {
    m = new Map();
    PLAN_CACHE.set(goalIndex, m);
  }
  return m;
}
