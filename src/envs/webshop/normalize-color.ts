// WebShop's colour normalisation (web_agent_site/engine/normalize.py). The reward applies it to
// both the goal's option values and the purchased ones before comparing them: if any word of
// this list occurs in the string as a plain substring, the whole string becomes the FIRST such
// entry in list order (not the first in the string). So "light blue" -> "blue" ("blue" precedes
// "light"), "dark red" -> "dark", and "standard" -> "tan". The quirks are WebShop's and are kept.

export const COLOR_SET: readonly string[] = [
  'alabaster', 'apricot', 'aqua', 'ash', 'asphalt', 'azure', 'banana', 'beige', 'black', 'blue',
  'blush', 'bordeaux', 'bronze', 'brown', 'burgundy', 'camel', 'camo', 'caramel', 'champagne',
  'charcoal', 'cheetah', 'chestnut', 'chocolate', 'christmas', 'coffee', 'cognac', 'copper',
  'coral', 'cranberry', 'cream', 'crystal', 'dark', 'denim', 'eggplant', 'elephant', 'espresso',
  'fuchsia', 'gold', 'granite', 'grape', 'graphite', 'grass', 'gray', 'green', 'grey', 'heather',
  'indigo', 'ivory', 'ivy', 'khaki', 'lavender', 'lemon', 'leopard', 'light', 'lilac', 'lime',
  'magenta', 'maroon', 'mauve', 'merlot', 'midnight', 'mint', 'mocha', 'multicolor', 'mushroom',
  'mustard', 'natural', 'navy', 'nude', 'olive', 'orange', 'peach', 'pewter', 'pink', 'plum',
  'purple', 'rainbow', 'red', 'rose', 'royal', 'rust', 'sand', 'sapphire', 'seashell', 'silver',
  'skull', 'slate', 'steel', 'stone', 'stonewash', 'sunflower', 'tan', 'taupe', 'teal', 'tiger',
  'turquoise', 'violet', 'walnut', 'wheat', 'white', 'wine', 'yellow',
];

/** Case-sensitive, like the original: "Red" is left alone. */
export function normalizeColor(value: string): string {
  for (const color of COLOR_SET) if (value.includes(color)) return color;
  return value;
}
