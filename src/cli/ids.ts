/**
 * Identifiers as docker shows and makes them: 12-character short IDs (`stringid.TruncateID`),
 * random 64-digit hex IDs whose short form is never all digits (`stringid.GenerateRandomID`),
 * and random container names from moby's namesgenerator ("focused_turing").
 */

/** A source of seeded randomness, such as the simulation's `Random`. */
export interface RandomSource {
  /** An integer in [minimum, maximumExclusive). */
  integer(minimum: number, maximumExclusive: number): number;
}

/** Length of a short ID. */
export const shortIdLength = 12;

/** Length of a full ID. */
export const fullIdLength = 64;

/** The first 12 characters of an ID: `shortId("4f66ad9a0b...")` is `4f66ad9a0b2e`. */
export function shortId(id: string): string {
  return id.slice(0, shortIdLength);
}

/**
 * docker's `stringid.TruncateID`: drops an algorithm prefix (`sha256:`) and keeps 12 characters,
 * as image IDs appear in `docker images`.
 */
export function truncateId(id: string): string {
  const colon = id.indexOf(":");
  return shortId(colon >= 0 ? id.slice(colon + 1) : id);
}

const hexDigits = "0123456789abcdef";

/**
 * docker's `stringid.GenerateRandomID`: 64 lowercase hex digits, drawn again whenever the first
 * 12 are all decimal digits (the short ID is a container's default hostname).
 */
export function randomId(random: RandomSource): string {
  for (;;) {
    let id = "";
    for (let index = 0; index < fullIdLength; index++) id += hexDigits[random.integer(0, 16)];
    if (!/^[0-9]+$/.test(id.slice(0, shortIdLength))) return id;
  }
}

/** True if `text` is a full 64-digit lowercase hex ID (`stringid.IsShortID` is its 12-digit form). */
export function isFullId(text: string): boolean {
  return /^[0-9a-f]{64}$/.test(text);
}

/** The adjectives of moby's namesgenerator (v28.2.2), in its order. */
export const nameAdjectives: readonly string[] = [
  "admiring", "adoring", "affectionate", "agitated", "amazing", "angry", "awesome", "beautiful",
  "blissful", "bold", "boring", "brave", "busy", "charming", "clever", "compassionate",
  "competent", "condescending", "confident", "cool", "cranky", "crazy", "dazzling", "determined",
  "distracted", "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant", "eloquent", "epic",
  "exciting", "fervent", "festive", "flamboyant", "focused", "friendly", "frosty", "funny",
  "gallant", "gifted", "goofy", "gracious", "great", "happy", "hardcore", "heuristic", "hopeful",
  "hungry", "infallible", "inspiring", "intelligent", "interesting", "jolly", "jovial", "keen",
  "kind", "laughing", "loving", "lucid", "magical", "modest", "musing", "mystifying", "naughty",
  "nervous", "nice", "nifty", "nostalgic", "objective", "optimistic", "peaceful", "pedantic",
  "pensive", "practical", "priceless", "quirky", "quizzical", "recursing", "relaxed", "reverent",
  "romantic", "sad", "serene", "sharp", "silly", "sleepy", "stoic", "strange", "stupefied",
  "suspicious", "sweet", "tender", "thirsty", "trusting", "unruffled", "upbeat", "vibrant",
  "vigilant", "vigorous", "wizardly", "wonderful", "xenodochial", "youthful", "zealous", "zen",
];

/** The surnames of notable scientists and hackers in moby's namesgenerator (v28.2.2), in its order. */
export const nameSurnames: readonly string[] = [
  "agnesi", "albattani", "allen", "almeida", "antonelli", "archimedes", "ardinghelli", "aryabhata",
  "austin", "babbage", "banach", "banzai", "bardeen", "bartik", "bassi", "beaver", "bell", "benz",
  "bhabha", "bhaskara", "black", "blackburn", "blackwell", "bohr", "booth", "borg", "bose",
  "bouman", "boyd", "brahmagupta", "brattain", "brown", "buck", "burnell", "cannon", "carson",
  "cartwright", "carver", "cerf", "chandrasekhar", "chaplygin", "chatelet", "chatterjee", "chaum",
  "chebyshev", "clarke", "cohen", "colden", "cori", "cray", "curie", "curran", "darwin", "davinci",
  "dewdney", "dhawan", "diffie", "dijkstra", "dirac", "driscoll", "dubinsky", "easley", "edison",
  "einstein", "elbakyan", "elgamal", "elion", "ellis", "engelbart", "euclid", "euler", "faraday",
  "feistel", "fermat", "fermi", "feynman", "franklin", "gagarin", "galileo", "galois", "ganguly",
  "gates", "gauss", "germain", "goldberg", "goldstine", "goldwasser", "golick", "goodall", "gould",
  "greider", "grothendieck", "haibt", "hamilton", "haslett", "hawking", "heisenberg", "hellman",
  "hermann", "herschel", "hertz", "heyrovsky", "hodgkin", "hofstadter", "hoover", "hopper",
  "hugle", "hypatia", "ishizaka", "jackson", "jang", "jemison", "jennings", "jepsen", "johnson",
  "joliot", "jones", "kalam", "kapitsa", "kare", "keldysh", "keller", "kepler", "khayyam",
  "khorana", "kilby", "kirch", "knuth", "kowalevski", "lalande", "lamarr", "lamport", "leakey",
  "leavitt", "lederberg", "lehmann", "lewin", "lichterman", "liskov", "lovelace", "lumiere",
  "mahavira", "margulis", "matsumoto", "maxwell", "mayer", "mccarthy", "mcclintock", "mclaren",
  "mclean", "mcnulty", "meitner", "mendel", "mendeleev", "meninsky", "merkle", "mestorf",
  "mirzakhani", "montalcini", "moore", "morse", "moser", "murdock", "napier", "nash", "neumann",
  "newton", "nightingale", "nobel", "noether", "northcutt", "noyce", "panini", "pare", "pascal",
  "pasteur", "payne", "perlman", "pike", "poincare", "poitras", "proskuriakova", "ptolemy",
  "raman", "ramanujan", "rhodes", "ride", "ritchie", "robinson", "roentgen", "rosalind", "rubin",
  "saha", "sammet", "sanderson", "satoshi", "shamir", "shannon", "shaw", "shirley", "shockley",
  "shtern", "sinoussi", "snyder", "solomon", "spence", "stonebraker", "sutherland", "swanson",
  "swartz", "swirles", "taussig", "tesla", "tharp", "thompson", "torvalds", "tu", "turing",
  "varahamihira", "vaughan", "villani", "visvesvaraya", "volhard", "wescoff", "wilbur", "wiles",
  "williams", "williamson", "wilson", "wing", "wozniak", "wright", "wu", "yalow", "yonath",
  "zhukovsky",
];

/**
 * moby's `namesgenerator.GetRandomName`: "adjective_surname", never "boring_wozniak" (Steve
 * Wozniak is not boring). When `retry` is above zero a digit 0-9 is appended, as the daemon
 * does on its retries after a name conflict (`focused_turing3`).
 */
export function randomName(random: RandomSource, retry: number = 0): string {
  let name: string;
  do {
    name = `${nameAdjectives[random.integer(0, nameAdjectives.length)]}_${nameSurnames[random.integer(0, nameSurnames.length)]}`;
  } while (name === "boring_wozniak");
  if (retry > 0) name += String(random.integer(0, 10));
  return name;
}
