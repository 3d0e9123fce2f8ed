// The noun extractor behind WebShop's title_score (engine/goal.py::get_type_reward).
//
// WebShop keeps the tokens that spaCy's English model tags NOUN or PROPN, lowercased, as a list
// (duplicates count in the denominator). A statistical tagger cannot be reproduced token for
// token, so Stepwise uses a fixed, documented rule that behaves like spaCy on product titles,
// where almost every capitalised content word is tagged PROPN:
//
//   1. Tokenise like spaCy's English tokenizer, in the parts that matter for titles: split on
//      whitespace; peel opening brackets/quotes/currency signs off the front and closing
//      brackets/quotes/punctuation off the back (a final "." only when the token has no other
//      ".", so "D.o.n." stays whole); split off a possessive "'s"; split on "-", "/" and ","
//      between a letter or digit and a following letter ("Unisex-Adult", "DVD/VCR").
//   2. A token is a noun unless
//      a. it has no letter (numbers, punctuation, symbols), or
//      b. it starts with a digit ("4K", "2pcs", "921ORB": spaCy tags these NUM), or
//      c. it is a closed-class word (determiner, preposition, conjunction, pronoun, auxiliary,
//         particle or degree adverb; the list below), or
//      d. it looks like a past participle: 5+ letters ending in "ed" but not "eed"/"bed"
//         ("Listed", "Padded"; not "Seed", "Daybed", "Red").
//
// With these rules the extractor reproduces every title_score in WebShop's own unit tests
// (tests/web-agent-site/engine/test_goal.py): 6/7, 5/16, 2/12 and 0.

const CLOSED_CLASS = new Set([
  // determiners and quantifiers
  'a', 'an', 'the', 'this', 'that', 'these', 'those', 'each', 'every', 'any', 'some', 'all',
  'both', 'either', 'neither', 'no', 'another', 'such', 'other',
  // prepositions
  'about', 'above', 'across', 'after', 'against', 'along', 'among', 'around', 'as', 'at',
  'before', 'behind', 'below', 'beneath', 'beside', 'besides', 'between', 'beyond', 'by',
  'despite', 'down', 'during', 'except', 'for', 'from', 'in', 'inside', 'into', 'like', 'near',
  'of', 'off', 'on', 'onto', 'out', 'outside', 'over', 'per', 'since', 'than', 'through',
  'throughout', 'to', 'toward', 'towards', 'under', 'underneath', 'until', 'up', 'upon', 'via',
  'with', 'within', 'without',
  // conjunctions and subordinators
  'and', 'or', 'but', 'nor', 'yet', 'if', 'because', 'while', 'when', 'where', 'whether',
  'though', 'although', 'unless',
  // pronouns
  'i', 'me', 'my', 'mine', 'you', 'your', 'yours', 'he', 'him', 'his', 'she', 'her', 'hers',
  'it', 'its', 'we', 'us', 'our', 'ours', 'they', 'them', 'their', 'theirs', 'who', 'whom',
  'whose', 'which', 'what', 'myself', 'yourself', 'itself', 'ourselves', 'themselves',
  // auxiliaries and modals
  'is', 'are', 'was', 'were', 'be', 'been', 'being', 'am', 'do', 'does', 'did', 'has', 'have',
  'had', 'can', 'could', 'will', 'would', 'shall', 'should', 'may', 'might', 'must',
  // particles and degree adverbs
  "'s", '’s', "'", 'not', "n't", 'very', 'too', 'also', 'just', 'only', 'so', 'more', 'most',
  'less', 'least', 'much', 'many', 'few', 'really', 'even', 'ever', 'never', 'always', 'here',
  'there', 'then', 'now', 'how', 'why',
]);

const OPENERS = new Set(['(', '[', '{', '"', "'", '“', '‘', '«', '<', '$', '£', '€', '¥', '#', '*', '~', '`']);
const CLOSERS = new Set([')', ']', '}', '"', "'", '”', '’', '»', '>', ',', ';', ':', '!', '?', '%', '*', '…']);
const HAS_LETTER = /\p{L}/u;
const STARTS_WITH_DIGIT = /^\p{N}/u;
// "-", "/" or "," preceded by a letter/digit and followed by a letter.
const INFIX = /(?<=[\p{L}\p{N}])[-/,](?=\p{L})/u;

/** spaCy-like tokens of a product title (punctuation pieces dropped). */
export function titleTokens(title: string): string[] {
  const out: string[] = [];
  for (const chunk of title.split(/\s+/u)) {
    let s = chunk;
    while (s.length > 0 && OPENERS.has(s[0])) s = s.slice(1);
    let end = s.length;
    for (;;) {
      if (end > 0 && CLOSERS.has(s[end - 1])) end--;
      else if (end > 0 && s[end - 1] === '.' && s.indexOf('.') === end - 1) end--;
      else break;
    }
    s = s.slice(0, end);
    if (s.length === 0) continue;
    let possessive = false;
    if (s.length > 2 && /['’][sS]$/u.test(s)) {
      possessive = true;
      s = s.slice(0, -2);
    }
    for (const piece of s.split(INFIX)) if (piece.length > 0) out.push(piece);
    if (possessive) out.push("'s");
  }
  return out;
}

function isNoun(lower: string): boolean {
  if (!HAS_LETTER.test(lower)) return false;
  if (STARTS_WITH_DIGIT.test(lower)) return false;
  if (CLOSED_CLASS.has(lower)) return false;
  if (lower.length >= 5 && lower.endsWith('ed') && !lower.endsWith('eed') && !lower.endsWith('bed')) return false;
  return true;
}

/** The lowercased nouns of a title, in order, duplicates kept (WebShop divides by this length). */
export function titleNouns(title: string): string[] {
  const out: string[] = [];
  for (const token of titleTokens(title)) {
    const lower = token.toLowerCase();
    if (isNoun(lower)) out.push(lower);
  }
  return out;
}
