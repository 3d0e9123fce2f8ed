// Task templates: everyday household programs in the style of VirtualHome's crowd-sourced
// program dataset (the one SPA's VirtualHome tasks come from: "Watch TV", "Make coffee",
// "Wash dishes", ...). Each template sets up its preconditions, performs a reference program
// and returns the task description. The success test is derived from the graph the program
// leaves (goal.ts), never written by hand.

import { CLEAN, DIRTY, LOOKABLE, OFF, ON, OPEN, CLOSED, PLUGGED_IN, PLUGGED_OUT } from './catalog';
import { V } from './grammar';
import { Infeasible, type ProgramBuilder } from './program-builder';
import type { RoomType } from './scenes';

export interface Template {
  id: string;
  /** VirtualHome-style task name ("Watch TV"). */
  title: string;
  /** Held out of training and the seen split. */
  unseen?: boolean;
  /** Sets up and performs the reference program; returns the task description. */
  build(b: ProgramBuilder): string;
}

const DESK_ROOMS: RoomType[] = ['home_office', 'bedroom'];

function tableAndChair(b: ProgramBuilder): [number, number] {
  for (const [t, rt] of [['table', 'dining_room'], ['kitchen_table', 'kitchen']] as const) {
    const table = b.maybe(t, rt);
    const chair = b.maybe('chair', rt);
    if (table >= 0 && chair >= 0) return [table, chair];
  }
  throw new Infeasible('no table with a chair');
}

function anyTable(b: ProgramBuilder): number {
  const t = b.maybe('table', 'dining_room');
  return t >= 0 ? t : b.find('kitchen_table', 'kitchen');
}

function deskSetup(b: ProgramBuilder): { chair: number; computer: number; keyboard: number; mouse: number; rt: RoomType } {
  for (const rt of DESK_ROOMS) {
    const computer = b.maybe('computer', rt);
    const chair = b.maybe('chair', rt);
    if (computer >= 0 && chair >= 0) {
      return { chair, computer, keyboard: b.find('keyboard', rt), mouse: b.find('mouse', rt), rt };
    }
  }
  throw new Infeasible('no desk with a computer');
}

function dirty(b: ProgramBuilder, x: number): void {
  b.setStates(x, CLEAN, DIRTY);
}

/** Make sure x is not on/in `dest` at the start, moving it to `alt` when it is. */
function notOn(b: ProgramBuilder, x: number, dest: number, alt: () => void): void {
  if (b.support(x) === dest) alt();
}

export const TEMPLATES: readonly Template[] = [
  // ---- living room ---------------------------------------------------------------------------
  {
    id: 'watch_tv', title: 'Watch TV',
    build(b) {
      const tv = b.find('television', 'living_room');
      const sofa = b.find('sofa', 'living_room');
      b.walkInto('living_room');
      b.switchOn(tv);
      b.sit(sofa);
      b.act(V.WATCH, tv);
      return 'Turn on the television, sit on the sofa and watch TV';
    },
  },
  {
    id: 'turn_off_tv', title: 'Turn off TV',
    build(b) {
      const tv = b.find('television', 'living_room');
      b.turnedOn(tv);
      b.switchOff(tv);
      return 'The television in the living room is on; turn it off';
    },
  },
  {
    id: 'change_tv_channel', title: 'Change TV channel',
    build(b) {
      const tv = b.find('television', 'living_room');
      const remote = b.find('remote_control');
      b.turnedOn(tv);
      b.fetch(remote);
      b.act(V.TURNTO, tv);
      b.act(V.POINTAT, tv);
      return 'Pick up the remote control, turn to the television and point the remote at it';
    },
  },
  {
    id: 'relax_on_sofa', title: 'Relax on sofa',
    build(b) {
      const sofa = b.find('sofa', 'living_room');
      b.walkInto('living_room');
      b.sit(sofa);
      return 'Go to the living room and sit on the sofa to relax';
    },
  },
  {
    id: 'nap_on_sofa', title: 'Take a nap', unseen: true,
    build(b) {
      const sofa = b.find('sofa', 'living_room');
      b.walkInto('living_room');
      b.lie(sofa);
      b.act(V.SLEEP);
      return 'Lie down on the sofa and take a nap';
    },
  },
  {
    id: 'read_book', title: 'Read book',
    build(b) {
      const book = b.find('book');
      const sofa = b.find('sofa', 'living_room');
      b.fetch(book);
      b.act(V.OPEN, book);
      b.sit(sofa);
      b.act(V.READ, book);
      return 'Take a book, open it, sit on the sofa and read';
    },
  },
  {
    id: 'read_magazine', title: 'Read magazine', unseen: true,
    build(b) {
      const mag = b.find('magazine');
      const sofa = b.find('sofa', 'living_room');
      b.fetch(mag);
      b.sit(sofa);
      b.act(V.READ, mag);
      return 'Get a magazine and read it on the sofa';
    },
  },
  {
    id: 'read_newspaper', title: 'Read newspaper',
    build(b) {
      const paper = b.find('newspaper');
      const [, chair] = tableAndChair(b);
      b.fetch(paper);
      b.sit(chair);
      b.act(V.READ, paper);
      return 'Take the newspaper, sit on a chair at the table and read it';
    },
  },
  {
    id: 'turn_on_light', title: 'Turn on light',
    build(b) {
      const light = b.rng.pick(b.all('light'));
      b.turnedOff(light);
      b.switchOn(light);
      return `It is dark in the ${b.roomName(light)}; turn on the light there`;
    },
  },
  {
    id: 'turn_off_light', title: 'Turn off light',
    build(b) {
      const light = b.rng.pick(b.all('light'));
      b.turnedOn(light);
      b.switchOff(light);
      return `Turn off the light in the ${b.roomName(light)} to save energy`;
    },
  },
  {
    id: 'listen_to_music', title: 'Listen to music', unseen: true,
    build(b) {
      const stereo = b.find('stereo', 'living_room');
      const sofa = b.find('sofa', 'living_room');
      b.switchOn(stereo);
      b.sit(sofa);
      return 'Turn on the stereo and sit on the sofa to listen to music';
    },
  },
  {
    id: 'open_window', title: 'Open window',
    build(b) {
      const win = b.rng.pick(b.all('window'));
      b.setStates(win, OPEN, CLOSED);
      b.open(win);
      return `Let some fresh air into the ${b.roomName(win)} by opening the window`;
    },
  },
  {
    id: 'close_window', title: 'Close window', unseen: true,
    build(b) {
      const win = b.rng.pick(b.all('window'));
      b.setStates(win, CLOSED, OPEN);
      b.goto(win);
      b.act(V.CLOSE, win);
      return `It is getting cold; close the window in the ${b.roomName(win)}`;
    },
  },
  {
    id: 'dust_coffee_table', title: 'Dust coffee table',
    build(b) {
      const table = b.find('coffee_table', 'living_room');
      const rag = b.find('rag');
      dirty(b, table);
      b.fetch(rag);
      b.goto(table);
      b.act(V.WIPE, table);
      return 'The coffee table is dusty; take a rag and wipe it clean';
    },
  },
  {
    id: 'shelve_book', title: 'Put book on shelf',
    build(b) {
      const shelf = b.find('bookshelf');
      const book = b.find('book');
      notOn(b, book, shelf, () => {
        const t = b.maybe('coffee_table', 'living_room');
        if (t >= 0) b.relocate(book, 'on', t);
        else b.relocate(book, 'floor', b.room('living_room'));
      });
      b.putOn(book, shelf);
      return 'Tidy up by putting the book back on the bookshelf';
    },
  },
  {
    id: 'play_video_games', title: 'Play video games', unseen: true,
    build(b) {
      const tv = b.find('television', 'living_room');
      const pad = b.find('video_game_controller');
      const sofa = b.find('sofa', 'living_room');
      b.switchOn(tv);
      b.fetch(pad);
      b.sit(sofa);
      return 'Turn on the TV, grab the video game controller and sit on the sofa to play';
    },
  },
  {
    id: 'put_pillow_on_sofa', title: 'Arrange pillow',
    build(b) {
      const pillow = b.find('pillow');
      const sofa = b.find('sofa', 'living_room');
      notOn(b, pillow, sofa, () => {
        const bed = b.maybe('bed', 'bedroom');
        if (bed >= 0) b.relocate(pillow, 'on', bed);
        else b.relocate(pillow, 'floor', b.room('living_room'));
      });
      b.putOn(pillow, sofa);
      return 'Put the pillow on the sofa';
    },
  },
  {
    id: 'turn_on_lamp', title: 'Turn on lamp',
    build(b) {
      const lamp = b.pickClass(['floor_lamp', 'table_lamp']);
      b.turnedOff(lamp);
      b.switchOn(lamp);
      return `Switch on the ${b.name(lamp)} in the ${b.roomName(lamp)}`;
    },
  },
  // ---- office ----------------------------------------------------------------------------------
  {
    id: 'browse_internet', title: 'Browse internet',
    build(b) {
      const d = deskSetup(b);
      b.walkInto(d.rt);
      b.sit(d.chair);
      b.switchOn(d.computer);
      b.act(V.TYPE, d.keyboard);
      return 'Sit down at the computer, turn it on and browse the internet';
    },
  },
  {
    id: 'work_on_computer', title: 'Work',
    build(b) {
      const d = deskSetup(b);
      b.sit(d.chair);
      b.switchOn(d.computer);
      b.fetch(d.mouse);
      b.fetch(d.keyboard);
      return 'Work on the computer using the keyboard and the mouse';
    },
  },
  {
    id: 'turn_on_computer', title: 'Turn on computer',
    build(b) {
      const d = deskSetup(b);
      b.switchOn(d.computer);
      return `Turn on the computer in the ${b.roomName(d.computer)}`;
    },
  },
  {
    id: 'print_document', title: 'Print document', unseen: true,
    build(b) {
      const d = deskSetup(b);
      const printer = b.find('printer', d.rt);
      const paper = b.find('paper');
      b.switchOn(d.computer);
      b.switchOn(printer);
      b.fetch(paper);
      return 'Turn on the computer and the printer, then take the printed paper';
    },
  },
  {
    id: 'study', title: 'Study',
    build(b) {
      const d = deskSetup(b);
      const book = b.find('book');
      const lamp = b.maybe('table_lamp', d.rt);
      if (lamp >= 0) {
        b.turnedOff(lamp);
        b.switchOn(lamp);
      }
      b.fetch(book);
      b.sit(d.chair);
      b.act(V.READ, book);
      return lamp >= 0 ? 'Turn on the desk lamp, take a book and study at the desk' : 'Take a book and study at the desk';
    },
  },
  // ---- kitchen -------------------------------------------------------------------------------
  {
    id: 'make_coffee', title: 'Make coffee',
    build(b) {
      const maker = b.find('coffee_maker', 'kitchen');
      const coffee = b.find('coffee');
      b.fetch(coffee);
      b.putIn(coffee, maker);
      b.switchOn(maker);
      return 'Put ground coffee in the coffee maker and turn it on';
    },
  },
  {
    id: 'make_toast', title: 'Make toast', unseen: true,
    build(b) {
      const toaster = b.find('toaster', 'kitchen');
      const bread = b.find('bread_slice');
      b.putIn(bread, toaster);
      b.switchOn(toaster);
      return 'Put a slice of bread in the toaster and switch it on';
    },
  },
  {
    id: 'heat_food', title: 'Heat food',
    build(b) {
      const mw = b.find('microwave', 'kitchen');
      const food = b.pickClass(['carrot', 'cheese', 'egg', 'bread_slice']);
      b.putIn(food, mw);
      b.switchOn(mw);
      return `Heat the ${b.name(food)} in the microwave`;
    },
  },
  {
    id: 'fry_egg', title: 'Cook egg',
    build(b) {
      const pan = b.find('frying_pan');
      const stove = b.find('stove', 'kitchen');
      const egg = b.find('egg');
      b.putOn(pan, stove);
      b.putIn(egg, pan);
      b.switchOn(stove);
      return 'Put the frying pan on the stove, put an egg in it and turn on the stove';
    },
  },
  {
    id: 'boil_water', title: 'Boil water',
    build(b) {
      const pot = b.find('cooking_pot');
      const sink = b.find('sink', 'kitchen');
      const faucet = b.find('faucet', 'kitchen');
      const stove = b.find('stove', 'kitchen');
      b.putIn(pot, sink);
      b.switchOn(faucet);
      b.switchOff(faucet);
      b.act(V.GRAB, pot);
      b.putOn(pot, stove);
      b.switchOn(stove);
      return 'Fill the cooking pot with water at the sink, put it on the stove and turn the stove on';
    },
  },
  {
    id: 'wash_dishes', title: 'Wash dishes',
    build(b) {
      const plate = b.find('plate');
      const sink = b.find('sink', 'kitchen');
      const faucet = b.find('faucet', 'kitchen');
      const counter = b.find('kitchen_counter', 'kitchen');
      dirty(b, plate);
      b.relocate(plate, 'in', sink);
      b.goto(sink);
      b.switchOn(faucet);
      b.act(V.GRAB, plate);
      b.act(V.WASH, plate);
      b.switchOff(faucet);
      b.putOn(plate, counter);
      return 'Wash the dirty plate in the sink and leave it on the kitchen counter';
    },
  },
  {
    id: 'load_dishwasher', title: 'Wash dishes with dishwasher',
    build(b) {
      const plate = b.find('plate');
      const dw = b.find('dishwasher', 'kitchen');
      dirty(b, plate);
      notOn(b, plate, dw, () => b.relocate(plate, 'on', b.find('kitchen_counter', 'kitchen')));
      b.putIn(plate, dw);
      b.switchOn(dw);
      return 'Put the dirty plate in the dishwasher and start it';
    },
  },
  {
    id: 'wash_cup', title: 'Wash cup',
    build(b) {
      const cup = b.find('cup');
      const faucet = b.find('faucet', 'kitchen');
      dirty(b, cup);
      b.fetch(cup);
      b.switchOn(faucet);
      b.act(V.WASH, cup);
      b.switchOff(faucet);
      return 'The cup is dirty; rinse it under the kitchen faucet';
    },
  },
  {
    id: 'put_groceries', title: 'Put groceries in fridge',
    build(b) {
      const fridge = b.find('fridge', 'kitchen');
      const counter = b.find('kitchen_counter', 'kitchen');
      const milk = b.find('milk');
      const food = b.pickClass(['cheese', 'egg', 'carrot', 'juice', 'apple']);
      b.relocate(milk, 'on', counter);
      b.relocate(food, 'on', counter);
      b.open(fridge);
      b.fetch(milk);
      b.fetch(food);
      b.goto(fridge);
      b.act(V.PUTIN, milk, fridge);
      b.act(V.PUTIN, food, fridge);
      b.act(V.CLOSE, fridge);
      return `Put the milk and the ${b.name(food)} from the counter into the fridge`;
    },
  },
  {
    id: 'make_sandwich', title: 'Make sandwich',
    build(b) {
      const plate = b.find('plate');
      const bread = b.find('bread_slice');
      const cheese = b.find('cheese');
      b.relocate(plate, 'on', b.find('kitchen_counter', 'kitchen'));
      b.putOn(bread, plate);
      b.putOn(cheese, plate);
      return 'Make a sandwich: put a slice of bread and some cheese on a plate';
    },
  },
  {
    id: 'set_table', title: 'Set up table',
    build(b) {
      const table = anyTable(b);
      const plate = b.find('plate');
      const fork = b.find('fork');
      const cab = b.find('kitchen_cabinet', 'kitchen');
      notOn(b, plate, table, () => b.relocate(plate, 'in', cab));
      notOn(b, fork, table, () => b.relocate(fork, 'in', cab));
      b.fetch(plate);
      b.fetch(fork);
      b.goto(table);
      b.act(V.PUTBACK, plate, table);
      b.act(V.PUTBACK, fork, table);
      return 'Set the table with a plate and a fork';
    },
  },
  {
    id: 'clear_table', title: 'Clear table',
    build(b) {
      const table = anyTable(b);
      const plate = b.find('plate');
      const cup = b.find('cup');
      const sink = b.find('sink', 'kitchen');
      b.relocate(plate, 'on', table);
      b.relocate(cup, 'on', table);
      b.fetch(plate);
      b.fetch(cup);
      b.goto(sink);
      b.act(V.PUTIN, plate, sink);
      b.act(V.PUTIN, cup, sink);
      return 'Clear the plate and the cup off the table and put them in the kitchen sink';
    },
  },
  {
    id: 'drink_milk', title: 'Drink milk',
    build(b) {
      const milk = b.find('milk');
      const cup = b.find('cup');
      b.fetch(milk);
      b.fetch(cup);
      b.act(V.POUR, milk, cup);
      b.act(V.DRINK, cup);
      return 'Pour some milk into a cup and drink it';
    },
  },
  {
    id: 'serve_wine', title: 'Serve wine', unseen: true,
    build(b) {
      const table = anyTable(b);
      const wine = b.find('wine');
      const glass = b.find('wine_glass');
      b.fetch(wine);
      b.fetch(glass);
      b.goto(table);
      b.act(V.PUTBACK, glass, table);
      b.act(V.POUR, wine, glass);
      return 'Put a wine glass on the table and pour wine into it';
    },
  },
  {
    id: 'eat_apple', title: 'Have a snack',
    build(b) {
      const apple = b.find('apple');
      const [, chair] = tableAndChair(b);
      b.fetch(apple);
      b.sit(chair);
      b.act(V.EAT, apple);
      return 'Take an apple, sit at the table and eat it';
    },
  },
  {
    id: 'slice_bread', title: 'Cut bread',
    build(b) {
      const knife = b.find('knife');
      const bread = b.find('bread_slice');
      const plate = b.find('plate');
      const counter = b.find('kitchen_counter', 'kitchen');
      b.relocate(bread, 'on', counter);
      b.relocate(plate, 'on', counter);
      b.fetch(knife);
      b.goto(bread);
      b.act(V.CUT, bread);
      b.act(V.GRAB, bread);
      b.act(V.PUTBACK, bread, plate);
      return 'Take a knife, cut the bread on the counter and put it on a plate';
    },
  },
  {
    id: 'throw_away_newspaper', title: 'Throw away newspaper',
    build(b) {
      const paper = b.find('newspaper');
      const bin = b.find('garbage_can', 'kitchen');
      b.putIn(paper, bin);
      return 'Throw the old newspaper in the garbage can';
    },
  },
  {
    id: 'wipe_counter', title: 'Clean kitchen counter',
    build(b) {
      const counter = b.find('kitchen_counter', 'kitchen');
      const tool = b.pickClass(['sponge', 'rag']);
      dirty(b, counter);
      b.fetch(tool);
      b.goto(counter);
      b.act(V.WIPE, counter);
      return `Wipe the dirty kitchen counter with the ${b.name(tool)}`;
    },
  },
  {
    id: 'put_away_dishes', title: 'Put away dishes',
    build(b) {
      const plate = b.find('plate');
      const cab = b.find('kitchen_cabinet', 'kitchen');
      b.setStates(plate, DIRTY, CLEAN);
      b.relocate(plate, 'on', b.find('kitchen_counter', 'kitchen'));
      b.putIn(plate, cab);
      return 'Put the clean plate from the counter away in the kitchen cabinet';
    },
  },
  {
    id: 'close_fridge', title: 'Close fridge',
    build(b) {
      const fridge = b.find('fridge', 'kitchen');
      b.setStates(fridge, CLOSED, OPEN);
      b.goto(fridge);
      b.act(V.CLOSE, fridge);
      return 'Someone left the fridge open; close it';
    },
  },
  {
    id: 'make_cereal', title: 'Have breakfast', unseen: true,
    build(b) {
      const bowl = b.find('bowl');
      const cereal = b.find('cereal');
      const milk = b.find('milk');
      const counter = b.find('kitchen_counter', 'kitchen');
      b.putOn(bowl, counter);
      b.fetch(cereal);
      b.fetch(milk);
      b.goto(bowl);
      b.act(V.POUR, cereal, bowl);
      b.act(V.POUR, milk, bowl);
      return 'Put a bowl on the counter and pour cereal and milk into it';
    },
  },
  // ---- bathroom ------------------------------------------------------------------------------
  {
    id: 'brush_teeth', title: 'Brush teeth',
    build(b) {
      const brush = b.find('toothbrush');
      const paste = b.find('tooth_paste');
      const faucet = b.find('faucet', 'bathroom');
      b.fetch(paste);
      b.fetch(brush);
      b.switchOn(faucet);
      b.act(V.WASH, brush);
      b.act(V.POUR, paste, brush);
      b.switchOff(faucet);
      return 'Wet the toothbrush at the bathroom sink and put tooth paste on it';
    },
  },
  {
    id: 'use_toilet', title: 'Go to toilet',
    build(b) {
      const toilet = b.find('toilet', 'bathroom');
      b.walkInto('bathroom');
      b.sit(toilet);
      return 'Go to the bathroom and sit on the toilet';
    },
  },
  {
    id: 'hang_towel', title: 'Hang up towel',
    build(b) {
      const towel = b.find('towel');
      const rack = b.find('towel_rack', 'bathroom');
      notOn(b, towel, rack, () => b.relocate(towel, 'floor', b.room('bathroom')));
      b.putOn(towel, rack);
      return 'Hang the towel on the towel rack';
    },
  },
  {
    id: 'clean_mirror', title: 'Clean mirror',
    build(b) {
      const mirror = b.find('mirror', 'bathroom');
      const towel = b.find('towel');
      dirty(b, mirror);
      b.fetch(towel);
      b.goto(mirror);
      b.act(V.WIPE, mirror);
      return 'The bathroom mirror is dirty; wipe it with a towel';
    },
  },
  {
    id: 'clean_bathtub', title: 'Clean bathtub', unseen: true,
    build(b) {
      const tub = b.find('bathtub', 'bathroom');
      dirty(b, tub);
      b.goto(tub);
      b.act(V.SCRUB, tub);
      return 'Scrub the dirty bathtub';
    },
  },
  {
    id: 'do_laundry', title: 'Wash clothes',
    build(b) {
      const washer = b.find('washing_machine', 'bathroom');
      const clothes = b.pickClass(['clothes_shirt', 'clothes_pants']);
      dirty(b, clothes);
      b.putIn(clothes, washer);
      b.switchOn(washer);
      return `Put the dirty ${b.name(clothes)} in the washing machine and start it`;
    },
  },
  {
    id: 'take_bath', title: 'Take a bath',
    build(b) {
      const tub = b.find('bathtub', 'bathroom');
      const faucet = b.find('faucet', 'bathroom');
      b.switchOn(faucet);
      b.lie(tub);
      return 'Run the water and lie down in the bathtub';
    },
  },
  {
    id: 'turn_off_faucet', title: 'Turn off faucet', unseen: true,
    build(b) {
      const faucet = b.rng.pick(b.all('faucet'));
      b.turnedOn(faucet);
      b.switchOff(faucet);
      return `The faucet in the ${b.roomName(faucet)} is running; turn it off`;
    },
  },
  // ---- bedroom -------------------------------------------------------------------------------
  {
    id: 'go_to_sleep', title: 'Go to sleep',
    build(b) {
      const bed = b.find('bed', 'bedroom');
      const light = b.find('light', 'bedroom');
      b.turnedOn(light);
      b.switchOff(light);
      b.lie(bed);
      b.act(V.SLEEP);
      return 'Turn off the bedroom light, lie down in bed and sleep';
    },
  },
  {
    id: 'wake_up', title: 'Wake up',
    build(b) {
      const bed = b.find('bed', 'bedroom');
      const light = b.find('light', 'bedroom');
      b.turnedOff(light);
      b.placeCharacter(bed, 'lying');
      b.act(V.WAKEUP);
      b.act(V.STANDUP);
      b.switchOn(light);
      return 'You are lying in bed; wake up, get up and turn on the light';
    },
  },
  {
    id: 'get_dressed', title: 'Get dressed',
    build(b) {
      const shirt = b.find('clothes_shirt');
      b.fetch(shirt);
      b.act(V.PUTON, shirt);
      return 'Take a shirt and put it on';
    },
  },
  {
    id: 'hang_up_jacket', title: 'Hang up jacket', unseen: true,
    build(b) {
      const jacket = b.find('clothes_jacket');
      const closet = b.find('closet', 'bedroom');
      b.relocate(jacket, 'on', b.find('bed', 'bedroom'));
      b.putIn(jacket, closet);
      return 'Put the jacket lying on the bed away in the closet';
    },
  },
  {
    id: 'charge_phone', title: 'Charge phone',
    build(b) {
      const phone = b.find('cellphone');
      b.setStates(phone, PLUGGED_IN, PLUGGED_OUT);
      b.goto(phone);
      b.act(V.PLUGIN, phone);
      return 'The phone battery is low; plug the cellphone in';
    },
  },
  {
    id: 'answer_phone', title: 'Pick up phone',
    build(b) {
      const phone = b.find('cellphone');
      b.fetch(phone);
      b.switchOn(phone);
      return 'The phone is ringing; pick up the cellphone and switch it on';
    },
  },
  {
    id: 'set_alarm', title: 'Set alarm clock',
    build(b) {
      const clock = b.find('alarm_clock');
      b.goto(clock);
      b.act(V.SWITCHON, clock);
      return 'Switch on the alarm clock before going to bed';
    },
  },
  {
    id: 'read_in_bed', title: 'Read in bed',
    build(b) {
      const book = b.find('book');
      const bed = b.find('bed', 'bedroom');
      b.fetch(book);
      b.lie(bed);
      b.act(V.READ, book);
      return 'Take a book and read it lying in bed';
    },
  },
  {
    id: 'vacuum', title: 'Vacuum clean',
    build(b) {
      const vac = b.find('vacuum_cleaner');
      b.fetch(vac);
      if (b.w.states[vac] & PLUGGED_OUT) b.act(V.PLUGIN, vac);
      b.act(V.SWITCHON, vac);
      return 'Get the vacuum cleaner, plug it in and switch it on';
    },
  },
  {
    id: 'iron_clothes', title: 'Iron clothes', unseen: true,
    build(b) {
      const iron = b.find('iron');
      const shirt = b.find('clothes_shirt');
      b.fetch(iron);
      if (b.w.states[iron] & PLUGGED_OUT) b.act(V.PLUGIN, iron);
      b.act(V.SWITCHON, iron);
      b.fetch(shirt);
      return 'Plug in and switch on the iron, then take the shirt to iron';
    },
  },
  {
    id: 'tidy_toys', title: 'Pick up toys',
    build(b) {
      const toy = b.find('toy');
      const box = b.find('box');
      b.putIn(toy, box);
      return 'Pick up the toy and put it away in the toy box';
    },
  },
  {
    id: 'put_shoes_in_closet', title: 'Put away shoes',
    build(b) {
      const shoes = b.find('shoes');
      const closet = b.find('closet', 'bedroom');
      notOn(b, shoes, closet, () => b.relocate(shoes, 'floor', b.room('bedroom')));
      b.putIn(shoes, closet);
      return 'Put the shoes away in the closet';
    },
  },
  {
    id: 'look_at_painting', title: 'Look at painting',
    build(b) {
      const painting = b.find('painting', 'living_room');
      if (!(b.w.g.props[painting] & LOOKABLE)) throw new Infeasible('painting not lookable');
      const sofa = b.find('sofa', 'living_room');
      b.sit(sofa);
      b.act(V.TURNTO, painting);
      b.act(V.LOOKAT, painting);
      return 'Sit on the sofa and look at the painting';
    },
  },
  {
    id: 'turn_on_stove', title: 'Turn on stove',
    build(b) {
      const stove = b.find('stove', 'kitchen');
      b.setStates(stove, ON, OFF);
      b.switchOn(stove);
      return 'Turn on the stove to start cooking';
    },
  },
  // ---- routines: several activities in one task (longer horizons) ----------------------------
  {
    id: 'tidy_living_room', title: 'Tidy up living room',
    build(b) {
      const tv = b.find('television', 'living_room');
      const sofa = b.find('sofa', 'living_room');
      const table = b.find('coffee_table', 'living_room');
      const shelf = b.find('bookshelf', 'living_room');
      const book = b.find('book');
      const pillow = b.find('pillow');
      const remote = b.find('remote_control');
      b.turnedOn(tv);
      notOn(b, book, shelf, () => b.relocate(book, 'on', table));
      notOn(b, pillow, sofa, () => b.relocate(pillow, 'floor', b.room('living_room')));
      notOn(b, remote, table, () => b.relocate(remote, 'on', sofa));
      b.switchOff(tv);
      b.putOn(book, shelf);
      b.putOn(pillow, sofa);
      b.putOn(remote, table);
      return 'Turn off the TV, put the book on the bookshelf, the pillow on the sofa and the remote control on the coffee table';
    },
  },
  {
    id: 'morning_routine', title: 'Morning routine',
    build(b) {
      const bed = b.find('bed', 'bedroom');
      const light = b.find('light', 'bedroom');
      const shirt = b.find('clothes_shirt');
      const brush = b.find('toothbrush');
      const paste = b.find('tooth_paste');
      const faucet = b.find('faucet', 'bathroom');
      b.turnedOff(light);
      b.placeCharacter(bed, 'lying');
      b.act(V.WAKEUP);
      b.act(V.STANDUP);
      b.switchOn(light);
      b.fetch(shirt);
      b.act(V.PUTON, shirt);
      b.fetch(paste);
      b.fetch(brush);
      b.switchOn(faucet);
      b.act(V.POUR, paste, brush);
      b.switchOff(faucet);
      return 'Get out of bed, turn on the light, put on a shirt, then put tooth paste on your toothbrush in the bathroom';
    },
  },
  {
    id: 'prepare_dinner', title: 'Prepare dinner',
    build(b) {
      const pan = b.find('frying_pan');
      const stove = b.find('stove', 'kitchen');
      const egg = b.find('egg');
      const table = anyTable(b);
      const plate = b.find('plate');
      const fork = b.find('fork');
      const cab = b.find('kitchen_cabinet', 'kitchen');
      notOn(b, plate, table, () => b.relocate(plate, 'in', cab));
      notOn(b, fork, table, () => b.relocate(fork, 'in', cab));
      b.putOn(pan, stove);
      b.putIn(egg, pan);
      b.switchOn(stove);
      b.fetch(plate);
      b.fetch(fork);
      b.goto(table);
      b.act(V.PUTBACK, plate, table);
      b.act(V.PUTBACK, fork, table);
      return 'Fry an egg in the pan on the stove and set the table with a plate and a fork';
    },
  },
  {
    id: 'wash_and_put_away', title: 'Do the dishes',
    build(b) {
      const plate = b.find('plate');
      const sink = b.find('sink', 'kitchen');
      const faucet = b.find('faucet', 'kitchen');
      const cab = b.find('kitchen_cabinet', 'kitchen');
      dirty(b, plate);
      b.relocate(plate, 'in', sink);
      b.goto(sink);
      b.switchOn(faucet);
      b.act(V.GRAB, plate);
      b.act(V.WASH, plate);
      b.switchOff(faucet);
      b.putIn(plate, cab);
      return 'Wash the dirty plate in the kitchen sink and put it away in the cabinet';
    },
  },
  {
    id: 'coffee_and_newspaper', title: 'Morning coffee',
    build(b) {
      const maker = b.find('coffee_maker', 'kitchen');
      const coffee = b.find('coffee');
      const paper = b.find('newspaper');
      const [, chair] = tableAndChair(b);
      b.fetch(coffee);
      b.putIn(coffee, maker);
      b.switchOn(maker);
      b.fetch(paper);
      b.sit(chair);
      b.act(V.READ, paper);
      return 'Start the coffee maker with ground coffee, then read the newspaper sitting at the table';
    },
  },
  {
    id: 'host_dinner', title: 'Host dinner',
    build(b) {
      const table = anyTable(b);
      const plate = b.find('plate');
      const wine = b.find('wine');
      const glass = b.find('wine_glass');
      notOn(b, plate, table, () => b.relocate(plate, 'in', b.find('kitchen_cabinet', 'kitchen')));
      notOn(b, glass, table, () => b.relocate(glass, 'in', b.find('kitchen_cabinet', 'kitchen')));
      b.fetch(plate);
      b.goto(table);
      b.act(V.PUTBACK, plate, table);
      b.fetch(wine);
      b.fetch(glass);
      b.goto(table);
      b.act(V.PUTBACK, glass, table);
      b.act(V.POUR, wine, glass);
      return 'Put a plate and a wine glass on the table and pour the wine';
    },
  },
  {
    id: 'work_from_home', title: 'Work from home',
    build(b) {
      const maker = b.find('coffee_maker', 'kitchen');
      const coffee = b.find('coffee');
      const d = deskSetup(b);
      b.fetch(coffee);
      b.putIn(coffee, maker);
      b.switchOn(maker);
      b.sit(d.chair);
      b.switchOn(d.computer);
      b.act(V.TYPE, d.keyboard);
      return 'Put the coffee on, then sit down at the computer, turn it on and start typing';
    },
  },
  {
    id: 'evening_routine', title: 'Evening routine', unseen: true,
    build(b) {
      const tv = b.find('television', 'living_room');
      const win = b.find('window', 'living_room');
      const bed = b.find('bed', 'bedroom');
      b.turnedOn(tv);
      b.setStates(win, CLOSED, OPEN);
      b.switchOff(tv);
      b.goto(win);
      b.act(V.CLOSE, win);
      b.lie(bed);
      b.act(V.SLEEP);
      return 'Turn off the TV, close the living room window and go to bed';
    },
  },
  {
    id: 'clean_kitchen', title: 'Clean kitchen', unseen: true,
    build(b) {
      const counter = b.find('kitchen_counter', 'kitchen');
      const dw = b.find('dishwasher', 'kitchen');
      const plate = b.find('plate');
      const sponge = b.find('sponge');
      dirty(b, counter);
      dirty(b, plate);
      notOn(b, plate, dw, () => b.relocate(plate, 'on', counter));
      b.putIn(plate, dw);
      b.switchOn(dw);
      b.fetch(sponge);
      b.goto(counter);
      b.act(V.WIPE, counter);
      return 'Load the dirty plate into the dishwasher and start it, then wipe the kitchen counter with the sponge';
    },
  },
  {
    id: 'bedtime_reading', title: 'Read before sleeping', unseen: true,
    build(b) {
      const book = b.find('book');
      const lamp = b.find('table_lamp', 'bedroom');
      const bed = b.find('bed', 'bedroom');
      b.turnedOff(lamp);
      b.fetch(book);
      b.switchOn(lamp);
      b.lie(bed);
      b.act(V.READ, book);
      return 'Take a book, switch on the bedside lamp and read lying in bed';
    },
  },
];

export const TEMPLATE_BY_ID = new Map(TEMPLATES.map((t) => [t.id, t]));
