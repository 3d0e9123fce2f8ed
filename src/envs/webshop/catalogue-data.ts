// The vocabulary the webshop catalogue is generated from: 12 categories of 5 product types each,
// written in the style of WebShop's Amazon data (lowercase search "query" per product, an Amazon
// breadcrumb as product_category, short attribute phrases like "long lasting" or "gluten free",
// and customisation options such as size and color). Option values are written raw: the
// generator applies WebShop's load-time normalisation (lowercase, "/" -> " | ").
//
// Changing anything here changes the catalogue, the goals and every transcript: bump
// CATALOGUE_VERSION in catalogue.ts and regenerate the frozen fingerprints.

export interface OptionSpec {
  name: string;
  values: readonly string[];
}

export interface ProductTypeSpec {
  key: string;
  /** Head noun phrase, lowercase, as a shopper would type it ("women's running shoes"). */
  noun: string;
  /** Plural or mass nouns take no article in instructions. */
  plural: boolean;
  /** WebShop's per-product "query": the search that found the product on Amazon. */
  query: string;
  /** Breadcrumb levels below the category root. */
  path: readonly string[];
  price: readonly [number, number];
  /** Attribute pool; each product gets 3–5 of them. */
  attrs: readonly string[];
  options: readonly OptionSpec[];
  /** Descriptive title words that are not attributes. */
  words: readonly string[];
  /** Spec fragments for titles and bullets. */
  specs: readonly string[];
  /** What the product is for, used in descriptions. */
  use: string;
}

export interface CategorySpec {
  /** WebShop's short category name. */
  category: string;
  root: string;
  brandSeed: string;
  types: readonly ProductTypeSpec[];
}

export const CATEGORIES: readonly CategorySpec[] = [
  {
    category: 'beauty',
    root: 'Beauty & Personal Care',
    brandSeed: 'beauty',
    types: [
      {
        key: 'shampoo', noun: 'shampoo', plural: true, query: 'shampoo',
        path: ['Hair Care', 'Shampoo & Conditioner', 'Shampoos'], price: [6, 32],
        attrs: ['sulfate free', 'paraben free', 'tea tree', 'argan oil', 'natural ingredients', 'color safe', 'dry hair', 'cruelty free'],
        options: [
          { name: 'scent', values: ['unscented', 'lavender', 'coconut', 'eucalyptus mint', 'citrus', 'rosemary'] },
          { name: 'size', values: ['8.4 fl oz (pack of 1)', '16.9 fl oz (pack of 1)', '8.4 fl oz (pack of 2)', '33.8 fl oz'] },
        ],
        words: ['Daily', 'Clarifying', 'Volumizing', 'Hydrating', 'Salon'], specs: ['for Men and Women', 'for All Hair Types', 'for Curly Hair'],
        use: 'cleans the scalp and leaves hair soft',
      },
      {
        key: 'lipstick', noun: 'lipstick', plural: false, query: 'lipstick',
        path: ['Makeup', 'Lips', 'Lipstick'], price: [5, 28],
        attrs: ['long lasting', 'matte finish', 'cruelty free', 'highly pigmented', 'moisturizing', 'vegan', 'smudge proof'],
        options: [{ name: 'color', values: ['01 ruby red', '02 nude pink', '03 berry', '04 coral', '05 plum', '06 mauve', '07 brick brown'] }],
        words: ['Velvet', 'Creamy', 'Satin', 'Bold', 'Classic'], specs: ['0.12 oz', 'Lip Color', 'Lip Makeup'],
        use: 'gives lips rich color in a single swipe',
      },
      {
        key: 'eyeshadow', noun: 'eyeshadow palette', plural: false, query: 'eyeshadow palette',
        path: ['Makeup', 'Eyes', 'Eyeshadow'], price: [7, 45],
        attrs: ['long lasting', 'highly pigmented', 'easy blend', 'shimmer', 'cruelty free', 'travel size', 'mirror included'],
        options: [{ name: 'color', values: ['warm neutrals', 'smoky', 'rose gold', 'sunset', 'cool tones', 'jewel tones'] }],
        words: ['Professional', 'Nude', 'Glam', 'Everyday', 'Studio'], specs: ['18 Shades', '35 Colors', '12 Shades'],
        use: 'builds soft daytime looks and dramatic evening looks',
      },
      {
        key: 'moisturizer', noun: 'face moisturizer', plural: false, query: 'face moisturizer',
        path: ['Skin Care', 'Face', 'Moisturizers'], price: [9, 48],
        attrs: ['hyaluronic acid', 'fragrance free', 'oil free', 'sensitive skin', 'anti aging', 'non comedogenic', 'spf 30'],
        options: [{ name: 'size', values: ['1.7 oz', '2.5 oz', '3.4 oz', '1.7 oz (pack of 2)'] }],
        words: ['Daily', 'Lightweight', 'Gel', 'Cream', 'Overnight'], specs: ['Facial Lotion', 'Face Cream', 'for Women and Men'],
        use: 'keeps skin hydrated through the day',
      },
      {
        key: 'nail-polish', noun: 'nail polish', plural: true, query: 'nail polish',
        path: ['Foot, Hand & Nail Care', 'Nail Art & Polish', 'Nail Polish'], price: [4, 22],
        attrs: ['quick dry', 'chip resistant', 'non toxic', 'long lasting', 'high shine', 'vegan', 'cruelty free'],
        options: [{ name: 'color', values: ['classic red', 'ballet pink', 'midnight blue', 'nude beige', 'coral crush', 'lilac', 'jet black'] }],
        words: ['Gel Look', 'Salon', 'Glossy', 'Color', 'Pro'], specs: ['0.5 fl oz', 'Nail Lacquer', 'Nail Color'],
        use: 'paints on smoothly in two coats',
      },
    ],
  },
  {
    category: 'electronics',
    root: 'Electronics',
    brandSeed: 'electronics',
    types: [
      {
        key: 'earbuds', noun: 'wireless earbuds', plural: true, query: 'wireless earbuds',
        path: ['Headphones, Earbuds & Accessories', 'Headphones & Earbuds', 'Earbud Headphones'], price: [18, 180],
        attrs: ['noise cancelling', 'water resistant', 'long battery life', 'fast charging', 'hands free', 'touch control', 'charging case'],
        options: [{ name: 'color', values: ['black', 'white', 'navy', 'rose gold', 'sage green'] }],
        words: ['True', 'Sport', 'Compact', 'Mini', 'Pro'], specs: ['Bluetooth 5.3', 'Stereo Earphones', 'In-Ear Headphones'],
        use: 'streams music and calls from a phone',
      },
      {
        key: 'power-bank', noun: 'portable charger', plural: false, query: 'portable charger power bank',
        path: ['Computers & Accessories', 'Power Banks'], price: [14, 90],
        attrs: ['fast charging', 'usb c', 'high capacity', 'lightweight', 'led display', 'wireless charging', 'dual output'],
        options: [
          { name: 'capacity', values: ['10000mah', '20000mah', '26800mah', '5000mah'] },
          { name: 'color', values: ['black', 'white', 'blue', 'pink'] },
        ],
        words: ['Slim', 'Compact', 'Travel', 'Ultra', 'Mini'], specs: ['Power Bank', 'Battery Pack', 'External Battery'],
        use: 'recharges phones and tablets away from an outlet',
      },
      {
        key: 'hdmi-cable', noun: 'hdmi cable', plural: false, query: 'hdmi cable',
        path: ['Television & Video', 'Accessories', 'Cables', 'HDMI Cables'], price: [5, 30],
        attrs: ['high speed', 'gold plated', 'braided', '4k hdr', 'ethernet channel', 'durable'],
        options: [
          { name: 'size', values: ['3 feet', '6 feet', '10 feet', '15 feet', '25 feet'] },
          { name: 'item package quantity', values: ['1 pack', '2 pack', '3 pack'] },
        ],
        words: ['Premium', 'Certified', 'Nylon', 'Slim', 'Pro'], specs: ['HDMI 2.1', '48Gbps', 'for TV and Monitor'],
        use: 'connects a TV, monitor or console',
      },
      {
        key: 'speaker', noun: 'bluetooth speaker', plural: false, query: 'bluetooth speaker',
        path: ['Portable Audio & Video', 'Portable Speakers & Docks', 'Portable Bluetooth Speakers'], price: [20, 160],
        attrs: ['waterproof', 'portable', 'bass boost', 'long battery life', 'stereo sound', 'built in microphone', 'shockproof'],
        options: [{ name: 'color', values: ['black', 'red', 'grey', 'teal', 'orange'] }],
        words: ['Outdoor', 'Mini', 'Party', 'Travel', 'Loud'], specs: ['20W', '30W', 'Wireless Speaker'],
        use: 'plays music at home, at the beach and on the trail',
      },
      {
        key: 'smartwatch', noun: 'smart watch', plural: false, query: 'smart watch',
        path: ['Wearable Technology', 'Smartwatches'], price: [30, 250],
        attrs: ['heart rate monitor', 'sleep tracking', 'water resistant', 'gps', 'long battery life', 'blood oxygen', 'call notifications'],
        options: [
          { name: 'color', values: ['black', 'silver', 'rose gold', 'navy blue', 'olive'] },
          { name: 'size', values: ['40mm', '44mm', '46mm'] },
        ],
        words: ['Fitness', 'Sport', 'Smart', 'Health', 'Activity'], specs: ['for Android and iPhone', 'Fitness Tracker', 'AMOLED Screen'],
        use: 'tracks workouts and shows notifications on the wrist',
      },
    ],
  },
  {
    category: 'fashion',
    root: 'Clothing, Shoes & Jewelry',
    brandSeed: 'fashion',
    types: [
      {
        key: 'womens-running-shoes', noun: "women's running shoes", plural: true, query: "women's running shoes",
        path: ['Women', 'Shoes', 'Athletic', 'Running'], price: [30, 150],
        attrs: ['non slip', 'breathable mesh', 'lightweight', 'memory foam', 'rubber sole', 'arch support', 'wide toe box'],
        options: [
          { name: 'size', values: ['6', '6.5', '7', '7.5', '8', '8.5', '9', '10'] },
          { name: 'color', values: ['black/white', 'grey', 'pink', 'navy blue', 'white', 'purple'] },
        ],
        words: ['Road', 'Trail', 'Walking', 'Athletic', 'Cushioned'], specs: ['Sneakers', 'Tennis Shoes', 'Gym Shoes'],
        use: 'cushions every step on runs and long walks',
      },
      {
        key: 'mens-hiking-boots', noun: "men's hiking boots", plural: true, query: "men's hiking boots",
        path: ['Men', 'Shoes', 'Outdoor', 'Hiking & Trekking', 'Hiking Boots'], price: [45, 190],
        attrs: ['waterproof', 'non slip', 'rubber sole', 'ankle support', 'genuine leather', 'lace up', 'insulated'],
        options: [
          { name: 'size', values: ['8', '8.5', '9', '9.5', '10', '10.5', '11', '12'] },
          { name: 'color', values: ['brown', 'black', 'khaki', 'dark grey', 'olive'] },
        ],
        words: ['Mid', 'Trekking', 'Outdoor', 'Backpacking', 'Trail'], specs: ['Hiking Shoes', 'Work Boots', 'Mountain Boots'],
        use: 'keeps feet steady on rocky trails',
      },
      {
        key: 'mens-tshirt', noun: "men's t-shirt", plural: false, query: "men's t-shirts",
        path: ['Men', 'Clothing', 'Shirts', 'T-Shirts'], price: [8, 35],
        attrs: ['machine wash', '100% cotton', 'short sleeve', 'slim fit', 'moisture wicking', 'crew neck', 'tagless'],
        options: [
          { name: 'size', values: ['small', 'medium', 'large', 'x-large', 'xx-large'] },
          { name: 'color', values: ['black', 'white', 'heather grey', 'navy', 'olive green', 'burgundy'] },
        ],
        words: ['Basic', 'Classic', 'Everyday', 'Athletic', 'Casual'], specs: ['Tee Shirt', 'Workout Top', 'Undershirt'],
        use: 'works alone or under a jacket',
      },
      {
        key: 'womens-leggings', noun: "women's leggings", plural: true, query: "women's leggings",
        path: ['Women', 'Clothing', 'Leggings'], price: [12, 48],
        attrs: ['high waist', 'tummy control', 'squat proof', 'four way stretch', 'side pockets', 'moisture wicking', 'machine wash'],
        options: [
          { name: 'size', values: ['x-small', 'small', 'medium', 'large', 'x-large'] },
          { name: 'color', values: ['black', 'charcoal', 'navy blue', 'wine red', 'forest green', 'dusty rose'] },
        ],
        words: ['Yoga', 'Workout', 'Running', 'Gym', 'Buttery Soft'], specs: ['Yoga Pants', 'Athletic Tights', 'Capri Length'],
        use: 'moves with the body through yoga, runs and errands',
      },
      {
        key: 'womens-dress', noun: "women's summer dress", plural: false, query: "women's summer dresses",
        path: ['Women', 'Clothing', 'Dresses', 'Casual'], price: [18, 70],
        attrs: ['machine wash', 'short sleeve', 'v neck', 'knee length', 'a line', 'flowy', 'with pockets'],
        options: [
          { name: 'size', values: ['small', 'medium', 'large', 'x-large'] },
          { name: 'color', values: ['floral blue', 'black', 'white', 'yellow', 'green', 'pink'] },
        ],
        words: ['Casual', 'Boho', 'Beach', 'Sundress', 'Swing'], specs: ['Midi Dress', 'Tunic Dress', 'Wrap Dress'],
        use: 'stays cool on warm days',
      },
    ],
  },
  {
    category: 'food',
    root: 'Grocery & Gourmet Food',
    brandSeed: 'food',
    types: [
      {
        key: 'protein-bars', noun: 'protein bars', plural: true, query: 'protein bars',
        path: ['Snack Foods', 'Bars', 'Protein Bars'], price: [12, 45],
        attrs: ['gluten free', 'high protein', 'low sugar', 'keto friendly', 'non gmo', 'individually wrapped', 'plant based'],
        options: [
          { name: 'flavor name', values: ['chocolate chip', 'peanut butter', 'cookies and cream', 'salted caramel', 'birthday cake', 'almond'] },
          { name: 'size', values: ['12 count (pack of 1)', '12 count (pack of 2)', '24 count'] },
        ],
        words: ['Snack', 'Chewy', 'Crunchy', 'Meal', 'Energy'], specs: ['20g Protein', '15g Protein', '1.9 oz Bars'],
        use: 'is an easy snack between meals',
      },
      {
        key: 'ground-coffee', noun: 'ground coffee', plural: true, query: 'ground coffee',
        path: ['Beverages', 'Coffee, Tea & Cocoa', 'Coffee', 'Ground Coffee'], price: [7, 38],
        attrs: ['medium roast', 'fair trade', 'usda organic', 'kosher', 'non gmo', 'low acid', 'single origin'],
        options: [
          { name: 'flavor name', values: ['breakfast blend', 'french roast', 'colombian', 'hazelnut', 'decaf house blend'] },
          { name: 'size', values: ['12 ounce', '24 ounce', '2 pound'] },
        ],
        words: ['Arabica', 'Smooth', 'Rich', 'Fresh', 'Premium'], specs: ['Bag', 'Drip Grind', 'Coffee Grounds'],
        use: 'brews a smooth cup every morning',
      },
      {
        key: 'herbal-tea', noun: 'herbal tea', plural: true, query: 'herbal tea bags',
        path: ['Beverages', 'Coffee, Tea & Cocoa', 'Tea', 'Herbal'], price: [4, 28],
        attrs: ['caffeine free', 'organic', 'non gmo', 'individually wrapped', 'gluten free', 'kosher', 'compostable bags'],
        options: [
          { name: 'flavor name', values: ['chamomile', 'peppermint', 'ginger lemon', 'hibiscus', 'rooibos', 'turmeric'] },
          { name: 'size', values: ['20 count (pack of 1)', '20 count (pack of 6)', '100 count'] },
        ],
        words: ['Calming', 'Soothing', 'Wellness', 'Bedtime', 'Relaxing'], specs: ['Tea Bags', 'Herbal Infusion', 'Loose Leaf Blend'],
        use: 'steeps into a calming cup',
      },
      {
        key: 'mixed-nuts', noun: 'mixed nuts', plural: true, query: 'mixed nuts',
        path: ['Snack Foods', 'Nuts & Seeds', 'Mixed Nuts'], price: [8, 36],
        attrs: ['low sodium', 'dry roasted', 'non gmo', 'kosher', 'resealable bag', 'gluten free', 'high protein'],
        options: [
          { name: 'flavor name', values: ['lightly salted', 'honey roasted', 'sea salt', 'unsalted', 'smoked'] },
          { name: 'size', values: ['16 ounce', '30 ounce', '40 ounce'] },
        ],
        words: ['Deluxe', 'Premium', 'Snack', 'Party', 'Trail'], specs: ['Cashews Almonds Pecans', 'Jar', 'Snack Pack'],
        use: 'is a crunchy snack for work and travel',
      },
      {
        key: 'olive-oil', noun: 'olive oil', plural: true, query: 'extra virgin olive oil',
        path: ['Pantry Staples', 'Cooking Oils, Vinegars & Sprays', 'Oils', 'Olive Oil'], price: [9, 55],
        attrs: ['extra virgin', 'cold pressed', 'non gmo', 'usda organic', 'kosher', 'glass bottle', 'single origin'],
        options: [{ name: 'size', values: ['16.9 fl oz', '25.4 fl oz', '33.8 fl oz', '101 fl oz'] }],
        words: ['Greek', 'Italian', 'Spanish', 'Mediterranean', 'Premium'], specs: ['for Cooking', 'Polyphenol Rich', 'Harvest Blend'],
        use: 'dresses salads and finishes pasta',
      },
    ],
  },
  {
    category: 'furniture',
    root: 'Home & Kitchen',
    brandSeed: 'furniture',
    types: [
      {
        key: 'coffee-table', noun: 'coffee table', plural: false, query: 'coffee table',
        path: ['Furniture', 'Living Room Furniture', 'Tables', 'Coffee Tables'], price: [45, 320],
        attrs: ['solid wood', 'easy assembly', 'storage shelf', 'mid century', 'living room', 'lift top', 'metal frame'],
        options: [{ name: 'color', values: ['walnut', 'black', 'white', 'rustic brown', 'grey/oak', 'espresso'] }],
        words: ['Modern', 'Rustic', 'Industrial', 'Farmhouse', 'Round'], specs: ['Center Table', 'Cocktail Table', 'Sofa Table'],
        use: 'anchors the sitting area',
      },
      {
        key: 'office-chair', noun: 'office chair', plural: false, query: 'office chair',
        path: ['Furniture', 'Home Office Furniture', 'Home Office Chairs', 'Desk Chairs'], price: [60, 350],
        attrs: ['ergonomic', 'lumbar support', 'adjustable height', 'mesh back', 'swivel', 'padded armrests', 'heavy duty'],
        options: [{ name: 'color', values: ['black', 'grey', 'white', 'blue', 'pink'] }],
        words: ['Executive', 'Task', 'Computer', 'Home', 'High Back'], specs: ['Desk Chair', 'Rolling Chair', 'Gaming Chair'],
        use: 'supports long days at the desk',
      },
      {
        key: 'bookshelf', noun: 'bookshelf', plural: false, query: 'bookshelf',
        path: ['Furniture', 'Living Room Furniture', 'Bookcases'], price: [40, 260],
        attrs: ['easy assembly', 'industrial', 'anti tip', 'storage space', 'living room', 'solid wood', 'open shelves'],
        options: [
          { name: 'color', values: ['rustic brown', 'black', 'white', 'grey', 'natural'] },
          { name: 'size', values: ['3 tier', '4 tier', '5 tier'] },
        ],
        words: ['Modern', 'Tall', 'Ladder', 'Corner', 'Display'], specs: ['Bookcase', 'Storage Rack', 'Standing Shelf'],
        use: 'holds books, plants and keepsakes',
      },
      {
        key: 'bed-frame', noun: 'bed frame', plural: false, query: 'platform bed frame',
        path: ['Furniture', 'Bedroom Furniture', 'Beds, Frames & Bases', 'Beds'], price: [80, 480],
        attrs: ['no box spring needed', 'easy assembly', 'wood slats', 'noise free', 'under bed storage', 'headboard', 'heavy duty'],
        options: [
          { name: 'size', values: ['twin', 'full', 'queen', 'king'] },
          { name: 'color', values: ['black', 'white', 'walnut', 'grey'] },
        ],
        words: ['Platform', 'Metal', 'Upholstered', 'Modern', 'Low Profile'], specs: ['Mattress Foundation', 'Bed Base', 'Bedroom Frame'],
        use: 'holds a mattress at a comfortable height',
      },
      {
        key: 'accent-chair', noun: 'accent chair', plural: false, query: 'accent chair',
        path: ['Furniture', 'Living Room Furniture', 'Chairs'], price: [70, 420],
        attrs: ['upholstered', 'wood legs', 'mid century', 'easy assembly', 'living room', 'padded seat', 'high back'],
        options: [{ name: 'color', values: ['green velvet', 'beige linen', 'grey', 'navy', 'mustard yellow', 'pink'] }],
        words: ['Modern', 'Armchair', 'Reading', 'Lounge', 'Club'], specs: ['Side Chair', 'Arm Chair', 'Single Sofa'],
        use: 'adds a seat to a reading corner',
      },
    ],
  },
  {
    category: 'kitchen',
    root: 'Home & Kitchen',
    brandSeed: 'kitchen',
    types: [
      {
        key: 'frying-pan', noun: 'frying pan', plural: false, query: 'nonstick frying pan',
        path: ['Kitchen & Dining', 'Cookware', 'Pots & Pans', 'Frying Pans'], price: [15, 90],
        attrs: ['non stick', 'dishwasher safe', 'oven safe', 'induction compatible', 'pfoa free', 'stay cool handle'],
        options: [
          { name: 'size', values: ['8 inch', '10 inch', '12 inch', '8 and 10 inch set'] },
          { name: 'color', values: ['black', 'grey', 'blue', 'red'] },
        ],
        words: ['Skillet', 'Granite', 'Ceramic', 'Everyday', 'Chef'], specs: ['Omelette Pan', 'Egg Pan', 'Saute Pan'],
        use: 'fries eggs and sears vegetables',
      },
      {
        key: 'water-bottle', noun: 'water bottle', plural: false, query: 'insulated water bottle',
        path: ['Kitchen & Dining', 'Storage & Organization', 'Travel & To-Go Food Containers', 'Water Bottles'], price: [10, 45],
        attrs: ['bpa free', 'leak proof', 'vacuum insulated', 'double wall', 'dishwasher safe', 'wide mouth', 'straw lid'],
        options: [
          { name: 'capacity', values: ['18 oz', '24 oz', '32 oz', '40 oz'] },
          { name: 'color', values: ['black', 'white', 'sky blue', 'lavender', 'sage green', 'coral'] },
        ],
        words: ['Sports', 'Travel', 'Gym', 'Metal', 'Thermos'], specs: ['Flask', 'Tumbler', 'Canteen'],
        use: 'keeps drinks cold on the go',
      },
      {
        key: 'knife-set', noun: 'knife set', plural: false, query: 'kitchen knife set',
        path: ['Kitchen & Dining', 'Kitchen Utensils & Gadgets', 'Knives & Accessories', 'Knife Block Sets'], price: [25, 220],
        attrs: ['high carbon', 'knife block', 'dishwasher safe', 'ergonomic handle', 'built in sharpener', 'full tang'],
        options: [
          { name: 'size', values: ['6 piece', '14 piece', '15 piece', '20 piece'] },
          { name: 'color', values: ['black', 'silver', 'white', 'wood'] },
        ],
        words: ['Chef', 'Professional', 'German', 'Japanese', 'Kitchen'], specs: ['Cutlery Set', 'Knife Block Set', 'Steak Knives'],
        use: 'slices, dices and carves',
      },
      {
        key: 'coffee-maker', noun: 'coffee maker', plural: false, query: 'drip coffee maker',
        path: ['Kitchen & Dining', 'Coffee, Tea & Espresso', 'Coffee Makers', 'Drip Coffee Machines'], price: [25, 180],
        attrs: ['programmable', 'auto shut off', 'glass carafe', 'keep warm', 'reusable filter', 'brew strength control', 'compact'],
        options: [{ name: 'color', values: ['black', 'white', 'stainless', 'red'] }],
        words: ['Drip', 'Single Serve', 'Home', 'Classic', 'Digital'], specs: ['12 Cup', '5 Cup', '10 Cup'],
        use: 'brews a full pot for the morning',
      },
      {
        key: 'food-containers', noun: 'food storage containers', plural: true, query: 'food storage containers with lids',
        path: ['Kitchen & Dining', 'Storage & Organization', 'Food Storage', 'Food Containers'], price: [12, 60],
        attrs: ['bpa free', 'airtight', 'microwave safe', 'dishwasher safe', 'leak proof', 'stackable', 'freezer safe'],
        options: [{ name: 'size', values: ['10 piece', '18 piece', '24 piece', '32 piece'] }],
        words: ['Glass', 'Meal Prep', 'Pantry', 'Lunch', 'Kitchen'], specs: ['with Lids', 'Snap Lock Lids', 'Bento Boxes'],
        use: 'keeps leftovers and meal prep fresh',
      },
    ],
  },
  {
    category: 'sports',
    root: 'Sports & Outdoors',
    brandSeed: 'sports',
    types: [
      {
        key: 'yoga-mat', noun: 'yoga mat', plural: false, query: 'yoga mat',
        path: ['Sports & Fitness', 'Exercise & Fitness', 'Yoga', 'Mats'], price: [15, 80],
        attrs: ['non slip', 'extra thick', 'eco friendly', 'carrying strap', 'high density', 'lightweight', 'sweat resistant'],
        options: [
          { name: 'color', values: ['purple', 'black', 'teal', 'pink', 'grey', 'blue'] },
          { name: 'size', values: ['1/4 inch', '1/2 inch', '72 x 24 inch'] },
        ],
        words: ['Exercise', 'Pilates', 'Fitness', 'Workout', 'Floor'], specs: ['Exercise Mat', 'Fitness Mat', 'Workout Mat'],
        use: 'cushions knees and wrists during practice',
      },
      {
        key: 'dumbbells', noun: 'adjustable dumbbells', plural: true, query: 'adjustable dumbbells',
        path: ['Sports & Fitness', 'Exercise & Fitness', 'Strength Training Equipment', 'Dumbbells'], price: [40, 350],
        attrs: ['adjustable weight', 'anti slip handle', 'space saving', 'home gym', 'quick change', 'storage tray'],
        options: [{ name: 'size', values: ['25 lb', '52.5 lb', '90 lb', 'pair of 25 lb'] }],
        words: ['Weight', 'Strength', 'Training', 'Fitness', 'Dial'], specs: ['Dumbbell Set', 'Hand Weights', 'Free Weights'],
        use: 'replaces a rack of weights at home',
      },
      {
        key: 'tent', noun: 'camping tent', plural: false, query: 'camping tent',
        path: ['Outdoor Recreation', 'Camping & Hiking', 'Tents & Shelters', 'Tents'], price: [40, 260],
        attrs: ['waterproof', 'easy setup', 'rain fly', 'mesh windows', 'carry bag', 'windproof', 'instant pop up'],
        options: [
          { name: 'size', values: ['2 person', '4 person', '6 person', '8 person'] },
          { name: 'color', values: ['green', 'grey', 'orange', 'blue'] },
        ],
        words: ['Dome', 'Family', 'Backpacking', 'Cabin', 'Outdoor'], specs: ['Camping Shelter', 'Hiking Tent', 'Festival Tent'],
        use: 'sleeps a family on weekend trips',
      },
      {
        key: 'resistance-bands', noun: 'resistance bands', plural: true, query: 'resistance bands set',
        path: ['Sports & Fitness', 'Exercise & Fitness', 'Accessories', 'Exercise Bands'], price: [10, 45],
        attrs: ['latex free', 'door anchor', 'carry bag', 'heavy duty', 'exercise guide', 'stackable'],
        options: [{ name: 'style', values: ['5 band set', '11 piece set', 'loop bands', 'tube bands'] }],
        words: ['Workout', 'Fitness', 'Exercise', 'Training', 'Stretch'], specs: ['with Handles', 'Ankle Straps', 'for Home Workouts'],
        use: 'adds resistance to home workouts',
      },
      {
        key: 'hiking-backpack', noun: 'hiking backpack', plural: false, query: 'hiking backpack',
        path: ['Outdoor Recreation', 'Camping & Hiking', 'Backpacks & Bags', 'Hiking Daypacks'], price: [25, 160],
        attrs: ['water resistant', 'lightweight', 'rain cover', 'hip belt', 'hydration compatible', 'padded straps', 'multiple pockets'],
        options: [
          { name: 'color', values: ['black', 'orange', 'army green', 'grey', 'blue'] },
          { name: 'size', values: ['30l', '40l', '50l', '65l'] },
        ],
        words: ['Daypack', 'Trekking', 'Travel', 'Outdoor', 'Camping'], specs: ['Rucksack', 'Day Pack', 'Travel Bag'],
        use: 'carries gear for long day hikes',
      },
    ],
  },
  {
    category: 'toys',
    root: 'Toys & Games',
    brandSeed: 'toys',
    types: [
      {
        key: 'building-blocks', noun: 'building blocks set', plural: false, query: 'building blocks set for kids',
        path: ['Building Toys', 'Building Sets'], price: [15, 120],
        attrs: ['educational', 'creative play', 'storage box', 'non toxic', 'compatible with major brands', 'instruction booklet'],
        options: [{ name: 'size', values: ['300 pieces', '500 pieces', '1000 pieces', '1500 pieces'] }],
        words: ['Classic', 'City', 'Creative', 'Stem', 'Castle'], specs: ['for Ages 6+', 'Bricks Kit', 'Construction Toy'],
        use: 'lets kids build towns, vehicles and castles',
      },
      {
        key: 'jigsaw-puzzle', noun: 'jigsaw puzzle', plural: false, query: 'jigsaw puzzle for adults',
        path: ['Puzzles', 'Jigsaw Puzzles'], price: [10, 40],
        attrs: ['thick pieces', 'anti glare', 'poster included', 'precision cut', 'family game night', 'recycled board'],
        options: [
          { name: 'size', values: ['500 pieces', '1000 pieces', '1500 pieces'] },
          { name: 'pattern name', values: ['mountain lake', 'wild animals', 'city lights', 'outer space', 'flower garden'] },
        ],
        words: ['Scenic', 'Challenging', 'Classic', 'Artistic', 'Vintage'], specs: ['Puzzle for Adults', 'Puzzle Game', 'Picture Puzzle'],
        use: 'fills a rainy afternoon',
      },
      {
        key: 'plush-toy', noun: 'stuffed animal', plural: false, query: 'stuffed animal plush toy',
        path: ['Stuffed Animals & Plush Toys', 'Plush Figures'], price: [8, 40],
        attrs: ['super soft', 'machine washable', 'hypoallergenic', 'baby safe', 'gift for kids', 'embroidered eyes'],
        options: [
          { name: 'size', values: ['8 inch', '12 inch', '18 inch', '24 inch'] },
          { name: 'pattern name', values: ['dinosaur', 'teddy bear', 'bunny', 'unicorn', 'penguin', 'elephant'] },
        ],
        words: ['Cuddly', 'Huggable', 'Fluffy', 'Plush', 'Cute'], specs: ['Plush Toy', 'Stuffed Toy', 'Pillow Buddy'],
        use: 'is a bedtime companion',
      },
      {
        key: 'rc-car', noun: 'remote control car', plural: false, query: 'remote control car',
        path: ['Hobbies', 'Remote & App Controlled Vehicles & Parts', 'Remote & App Controlled Vehicles', 'Cars & Trucks'], price: [20, 150],
        attrs: ['rechargeable battery', 'all terrain', 'high speed', '2.4ghz', 'led lights', 'shockproof'],
        options: [{ name: 'color', values: ['red', 'blue', 'green', 'orange', 'black'] }],
        words: ['Monster', 'Off Road', 'Racing', 'Stunt', 'Drift'], specs: ['RC Truck', 'RC Car for Kids', 'Hobby Car'],
        use: 'races across the yard and the park',
      },
      {
        key: 'board-game', noun: 'board game', plural: false, query: 'board game for family',
        path: ['Games & Accessories', 'Board Games'], price: [12, 60],
        attrs: ['family game night', 'quick setup', 'strategy game', 'cooperative play', 'travel size', 'easy to learn'],
        options: [{ name: 'style', values: ['classic edition', 'deluxe edition', 'travel edition'] }],
        words: ['Party', 'Family', 'Strategy', 'Card', 'Adventure'], specs: ['for 2-6 Players', 'Ages 8 and Up', 'Tabletop Game'],
        use: 'brings players together around the table',
      },
    ],
  },
  {
    category: 'pets',
    root: 'Pet Supplies',
    brandSeed: 'pets',
    types: [
      {
        key: 'dog-food', noun: 'dry dog food', plural: true, query: 'dry dog food',
        path: ['Dogs', 'Food', 'Dry'], price: [15, 80],
        attrs: ['grain free', 'high protein', 'real meat', 'no artificial preservatives', 'small breed', 'natural ingredients'],
        options: [
          { name: 'flavor name', values: ['chicken and rice', 'salmon', 'lamb', 'beef', 'turkey'] },
          { name: 'size', values: ['4 pound', '15 pound', '30 pound'] },
        ],
        words: ['Adult', 'Puppy', 'Recipe', 'Complete', 'Wholesome'], specs: ['Kibble', 'Dog Food Bag', 'Dry Formula'],
        use: 'feeds dogs a balanced daily diet',
      },
      {
        key: 'cat-litter', noun: 'cat litter', plural: true, query: 'clumping cat litter',
        path: ['Cats', 'Litter & Housebreaking', 'Litter'], price: [10, 40],
        attrs: ['clumping', 'low dust', 'odor control', 'flushable', 'lightweight', 'multi cat'],
        options: [
          { name: 'scent', values: ['unscented', 'lavender', 'fresh scent', 'baking soda'] },
          { name: 'size', values: ['10 pound', '20 pound', '40 pound'] },
        ],
        words: ['Clay', 'Natural', 'Premium', 'Everyday', 'Tofu'], specs: ['Cat Box Filler', 'Kitty Litter', 'Litter Box Refill'],
        use: 'keeps the litter box fresh',
      },
      {
        key: 'dog-bed', noun: 'dog bed', plural: false, query: 'orthopedic dog bed',
        path: ['Dogs', 'Beds & Furniture', 'Beds'], price: [20, 140],
        attrs: ['orthopedic', 'memory foam', 'removable cover', 'waterproof liner', 'non slip bottom', 'calming'],
        options: [
          { name: 'size', values: ['small', 'medium', 'large', 'x-large'] },
          { name: 'color', values: ['grey', 'brown', 'navy blue', 'beige'] },
        ],
        words: ['Bolster', 'Donut', 'Cozy', 'Plush', 'Lounger'], specs: ['Pet Bed', 'Dog Mattress', 'Crate Pad'],
        use: 'gives a dog a soft place to rest',
      },
      {
        key: 'dog-harness', noun: 'dog harness', plural: false, query: 'no pull dog harness',
        path: ['Dogs', 'Collars, Harnesses & Leashes', 'Harnesses'], price: [10, 45],
        attrs: ['no pull', 'reflective', 'adjustable', 'breathable mesh', 'easy on', 'front clip'],
        options: [
          { name: 'size', values: ['x-small', 'small', 'medium', 'large'] },
          { name: 'color', values: ['black', 'red', 'blue', 'pink', 'orange'] },
        ],
        words: ['Vest', 'Padded', 'Walking', 'Sport', 'Everyday'], specs: ['Pet Vest', 'Walking Harness', 'Dog Vest'],
        use: 'makes walks calmer',
      },
      {
        key: 'cat-tree', noun: 'cat tree', plural: false, query: 'cat tree tower',
        path: ['Cats', 'Cat Furniture', 'Cat Trees'], price: [30, 180],
        attrs: ['sisal scratching posts', 'cozy condo', 'stable base', 'hanging toys', 'multi level', 'easy assembly'],
        options: [{ name: 'color', values: ['beige', 'grey', 'dark grey', 'white'] }],
        words: ['Tower', 'Activity', 'Indoor', 'Climbing', 'Modern'], specs: ['Cat Tower', 'Kitten Play House', 'Cat Condo'],
        use: 'gives indoor cats room to climb and nap',
      },
    ],
  },
  {
    category: 'office',
    root: 'Office Products',
    brandSeed: 'office',
    types: [
      {
        key: 'gel-pens', noun: 'gel pens', plural: true, query: 'gel pens',
        path: ['Office & School Supplies', 'Writing & Correction Supplies', 'Pens & Refills', 'Gel Ink Rollerball Pens'], price: [6, 30],
        attrs: ['quick dry', 'fine point', 'smooth writing', 'retractable', 'no bleed', 'comfort grip'],
        options: [
          { name: 'color', values: ['black', 'blue', 'red', 'assorted'] },
          { name: 'size', values: ['12 pack', '24 pack', '48 pack'] },
        ],
        words: ['Premium', 'Rollerball', 'Office', 'School', 'Journal'], specs: ['0.5mm', '0.7mm', 'Ink Pens'],
        use: 'writes cleanly in notebooks and planners',
      },
      {
        key: 'notebook', noun: 'spiral notebook', plural: false, query: 'spiral notebook',
        path: ['Office & School Supplies', 'Paper', 'Notebooks & Writing Pads', 'Wirebound Notebooks'], price: [5, 28],
        attrs: ['college ruled', 'thick paper', 'perforated pages', 'hardcover', 'pocket folder', 'acid free'],
        options: [
          { name: 'color', values: ['black', 'blue', 'pink', 'green', 'assorted'] },
          { name: 'size', values: ['a5', 'b5', '8.5 x 11 inch'] },
        ],
        words: ['Subject', 'Journal', 'School', 'Office', 'Study'], specs: ['100 Sheets', '3 Subject', '160 Pages'],
        use: 'holds lecture notes and meeting notes',
      },
      {
        key: 'desk-organizer', noun: 'desk organizer', plural: false, query: 'desk organizer',
        path: ['Office & School Supplies', 'Desk Accessories & Workspace Organizers', 'Desk Organizers'], price: [12, 55],
        attrs: ['multiple compartments', 'sliding drawer', 'space saving', 'metal mesh', 'easy assembly', 'pen holder'],
        options: [{ name: 'color', values: ['black', 'white', 'rose gold', 'wood', 'grey'] }],
        words: ['Desktop', 'Office', 'Tabletop', 'Home', 'Workspace'], specs: ['File Sorter', 'Supplies Caddy', 'Storage Rack'],
        use: 'keeps a desk tidy',
      },
      {
        key: 'standing-desk', noun: 'standing desk', plural: false, query: 'electric standing desk',
        path: ['Furniture', 'Home Office Furniture', 'Home Office Desks'], price: [120, 520],
        attrs: ['height adjustable', 'electric motor', 'memory presets', 'cable management', 'easy assembly', 'heavy duty'],
        options: [
          { name: 'color', values: ['black', 'white', 'walnut', 'maple'] },
          { name: 'size', values: ['40 x 24 inch', '48 x 24 inch', '55 x 28 inch', '63 x 30 inch'] },
        ],
        words: ['Sit Stand', 'Home Office', 'Computer', 'Ergonomic', 'Rising'], specs: ['Workstation', 'Stand Up Desk', 'Office Desk'],
        use: 'switches between sitting and standing',
      },
      {
        key: 'label-maker', noun: 'label maker', plural: false, query: 'label maker machine',
        path: ['Office Electronics', 'Label Makers'], price: [20, 90],
        attrs: ['bluetooth', 'portable', 'rechargeable', 'qwerty keyboard', 'tape included', 'multiple fonts'],
        options: [{ name: 'color', values: ['white', 'black', 'pink', 'mint'] }],
        words: ['Handheld', 'Office', 'Home', 'Mini', 'Smart'], specs: ['Label Printer', 'Sticker Maker', 'Tag Printer'],
        use: 'labels folders, shelves and cables',
      },
    ],
  },
  {
    category: 'tools',
    root: 'Tools & Home Improvement',
    brandSeed: 'tools',
    types: [
      {
        key: 'cordless-drill', noun: 'cordless drill', plural: false, query: 'cordless drill',
        path: ['Power & Hand Tools', 'Power Tools', 'Drills', 'Drill Drivers'], price: [35, 220],
        attrs: ['brushless motor', 'lithium ion', 'led light', 'variable speed', 'keyless chuck', 'lightweight'],
        options: [{ name: 'style', values: ['tool only', 'with 1 battery', 'with 2 batteries', 'combo kit'] }],
        words: ['Compact', 'Power', 'Driver', 'Pro', 'Home'], specs: ['20V', '12V', 'Drill Driver Kit'],
        use: 'drives screws and drills holes',
      },
      {
        key: 'light-bulbs', noun: 'led light bulbs', plural: true, query: 'led light bulbs',
        path: ['Light Bulbs', 'LED Bulbs'], price: [8, 40],
        attrs: ['dimmable', 'energy efficient', 'e26 base', 'flicker free', 'ul listed', 'long life'],
        options: [
          { name: 'color temperature', values: ['2700k', '3000k', '4000k', '5000k'] },
          { name: 'size', values: ['4 pack', '6 pack', '12 pack', '24 pack'] },
        ],
        words: ['A19', 'Household', 'Everyday', 'Equivalent', 'Home'], specs: ['60W Equivalent', '100W Equivalent', '800 Lumens'],
        use: 'lights a room without the heat of old bulbs',
      },
      {
        key: 'tool-set', noun: 'tool set', plural: false, query: 'home tool kit',
        path: ['Power & Hand Tools', 'Hand Tools', 'Tool Sets'], price: [25, 180],
        attrs: ['chrome vanadium', 'storage case', 'heavy duty', 'rust resistant', 'household repairs', 'ratchet wrench'],
        options: [{ name: 'size', values: ['39 piece', '108 piece', '219 piece', '65 piece'] }],
        words: ['Mechanic', 'Household', 'General', 'Repair', 'Home'], specs: ['Hand Tool Kit', 'Socket Set', 'Tool Box Set'],
        use: 'handles small repairs around the house',
      },
      {
        key: 'work-gloves', noun: 'work gloves', plural: true, query: 'work gloves',
        path: ['Safety & Security', 'Personal Protective Equipment', 'Hand Protection', 'Work Gloves'], price: [8, 35],
        attrs: ['cut resistant', 'touchscreen compatible', 'breathable', 'grip coating', 'machine washable', 'reinforced palm'],
        options: [
          { name: 'size', values: ['small', 'medium', 'large', 'x-large'] },
          { name: 'color', values: ['grey', 'black', 'orange', 'blue'] },
        ],
        words: ['Safety', 'Utility', 'Mechanic', 'Garden', 'Construction'], specs: ['3 Pairs', '6 Pairs', '12 Pairs'],
        use: 'protects hands on the job',
      },
      {
        key: 'tape-measure', noun: 'tape measure', plural: false, query: 'tape measure',
        path: ['Measuring & Layout Tools', 'Measuring Tools', 'Tape Measures'], price: [6, 35],
        attrs: ['magnetic hook', 'auto lock', 'shock resistant', 'belt clip', 'easy read', 'fractional markings'],
        options: [{ name: 'size', values: ['16 ft', '25 ft', '35 ft'] }],
        words: ['Retractable', 'Heavy Duty', 'Compact', 'Contractor', 'Pocket'], specs: ['Measuring Tape', 'Steel Blade', 'Imperial and Metric'],
        use: 'measures rooms, boards and furniture',
      },
    ],
  },
  {
    category: 'health',
    root: 'Health & Household',
    brandSeed: 'health',
    types: [
      {
        key: 'vitamin-gummies', noun: 'vitamin c gummies', plural: true, query: 'vitamin c gummies',
        path: ['Vitamins, Minerals & Supplements', 'Vitamins', 'Vitamin C'], price: [8, 35],
        attrs: ['gluten free', 'vegan', 'non gmo', 'immune support', 'sugar free', 'third party tested'],
        options: [
          { name: 'flavor name', values: ['orange', 'mixed berry', 'lemon', 'tangerine'] },
          { name: 'size', values: ['60 count', '120 count', '180 count'] },
        ],
        words: ['Daily', 'Chewable', 'Adult', 'Kids', 'Immune'], specs: ['250mg', '500mg', 'Dietary Supplement'],
        use: 'is an easy daily supplement',
      },
      {
        key: 'electric-toothbrush', noun: 'electric toothbrush', plural: false, query: 'electric toothbrush',
        path: ['Oral Care', 'Toothbrushes & Accessories', 'Power Toothbrushes'], price: [20, 150],
        attrs: ['rechargeable', 'smart timer', 'pressure sensor', 'travel case', 'soft bristles', 'multiple modes'],
        options: [{ name: 'color', values: ['black', 'pink', 'blue', 'mint', 'purple'] }],
        words: ['Sonic', 'Whitening', 'Adult', 'Deep Clean', 'Pro'], specs: ['with 4 Brush Heads', 'with 8 Brush Heads', 'Power Toothbrush'],
        use: 'cleans teeth and gums twice a day',
      },
      {
        key: 'heating-pad', noun: 'heating pad', plural: false, query: 'heating pad',
        path: ['Health Care', 'Pain Relievers', 'Hot & Cold Therapies', 'Heating Pads'], price: [15, 60],
        attrs: ['auto shut off', 'machine washable', 'moist heat', 'fast heating', 'extra large', 'soft fabric'],
        options: [
          { name: 'size', values: ['12 x 15 inch', '12 x 24 inch', '20 x 24 inch'] },
          { name: 'color', values: ['grey', 'blue', 'beige'] },
        ],
        words: ['Electric', 'Therapy', 'Heat', 'Comfort', 'Relief'], specs: ['for Back Pain', 'for Neck and Shoulders', 'Heat Pad'],
        use: 'eases sore muscles',
      },
      {
        key: 'first-aid-kit', noun: 'first aid kit', plural: false, query: 'first aid kit',
        path: ['Health Care', 'First Aid', 'First Aid Kits'], price: [12, 70],
        attrs: ['waterproof case', 'compact', 'emergency blanket', 'osha compliant', 'travel', 'refillable'],
        options: [{ name: 'size', values: ['100 piece', '160 piece', '250 piece', '400 piece'] }],
        words: ['Emergency', 'Home', 'Car', 'Camping', 'Office'], specs: ['Survival Kit', 'Medical Kit', 'Trauma Kit'],
        use: 'covers cuts, scrapes and burns',
      },
      {
        key: 'hand-soap', noun: 'hand soap', plural: true, query: 'liquid hand soap',
        path: ['Household Supplies', 'Hand Soap'], price: [4, 26],
        attrs: ['plant based', 'moisturizing', 'biodegradable', 'cruelty free', 'aloe vera', 'refill pack'],
        options: [
          { name: 'scent', values: ['lavender', 'lemon verbena', 'fresh linen', 'unscented', 'sweet orange'] },
          { name: 'size', values: ['12.5 fl oz', '12.5 fl oz (pack of 3)', '34 fl oz'] },
        ],
        words: ['Liquid', 'Foaming', 'Gentle', 'Kitchen', 'Bathroom'], specs: ['Hand Wash', 'Pump Bottle', 'Soap Dispenser Bottle'],
        use: 'washes hands without drying them out',
      },
    ],
  },
];

export const BRAND_PREFIXES = ['Nor', 'Lum', 'Bre', 'Cal', 'Vel', 'Tor', 'Kai', 'Ori', 'Zen', 'Ara', 'Mir', 'Sol', 'Ven', 'Qui', 'Fal', 'Hal', 'Ros', 'Tiv', 'Nex', 'Oak', 'Bel', 'Dax', 'Eli', 'Gra'];
export const BRAND_SUFFIXES = ['vik', 'ora', 'via', 'lio', 'ent', 'ova', 'tek', 'ari', 'uma', 'ano', 'ex', 'ford', 'ly', 'oni', 'ette', 'core', 'ix', 'wen'];
