// A deterministic, realistic synthetic sanctions/PEP list and customer names, for the screening
// benchmark and as the background population of the screening specs (so token rarity there is
// what a real list gives: many Mohammeds, Alis, Pereras and Kumars). Names are drawn from
// spelling groups: each group is one name as different transliterations write it, so a listed
// alias and a customer may spell the same name differently, as they do in life.
import type { ListEntry } from './list-entry.js';
import type { ListSchema } from './screening.views.js';

/** mulberry32: a small, fast, seeded PRNG (deterministic across platforms). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Group = readonly string[];
const g = (spellings: string): Group => spellings.split('|');

interface Culture {
  readonly name: string;
  readonly share: number;
  readonly countries: readonly string[];
  readonly given: readonly Group[];
  readonly middle: readonly Group[];
  readonly family: readonly Group[];
  readonly familyFirst: boolean;
}

const ARABIC_GIVEN = [
  'Mohammed|Muhammad|Mohamed|Mohamad|Muhammed', 'Ahmed|Ahmad|Ahmet', 'Ali|Aly', 'Hassan|Hasan', 'Hussein|Husain|Hussain|Husayn',
  'Omar|Umar', 'Abdullah|Abdallah|Abd Allah', 'Abdul Rahman|Abd al-Rahman|Abdulrahman|Abdelrahman', 'Abdul Aziz|Abd al-Aziz|Abdelaziz',
  'Khalid|Khaled', 'Yusuf|Youssef|Yousef', 'Ibrahim|Ebrahim', 'Ismail|Ismael|Esmail', 'Mustafa|Mostafa|Moustafa', 'Mahmoud|Mahmud',
  'Khalil|Kalil', 'Tariq|Tarek|Tarik', 'Walid|Waleed', 'Hamza|Hamzah', 'Bilal', 'Faisal|Faysal', 'Jamal|Gamal', 'Said|Saeed|Sayed',
  'Nasser|Nasir|Naser', 'Salah al-Din|Salahuddin|Salah ad-Din', 'Anwar', 'Karim|Kareem', 'Rashid|Rasheed', 'Samir|Sameer', 'Zayd|Zaid|Zeid',
  'Fatima|Fatma|Fatimah', 'Aisha|Aysha|Aicha', 'Maryam|Mariam', 'Khadija|Khadijah', 'Yasin|Yaseen|Yassin', 'Idris|Idriss', 'Jafar|Jaafar',
  'Qasim|Kasim|Qassem', 'Musa|Moussa', 'Isa|Issa', 'Sulayman|Suleiman|Sulaiman', 'Ayman|Aiman', 'Hisham|Hesham', 'Adel|Adil',
];
const ARABIC_FAMILY = [
  'al-Sharif|Al Sharif|El-Sherif', 'al-Qasimi|Al Qasimi|El-Kassimi', 'al-Masri|El Masry', 'al-Tamimi|Al Tamimi', 'al-Hashimi|Al Hashemi',
  'al-Shami|Al Shami', 'al-Baghdadi|Al Baghdadi', 'al-Zahrani|Al Zahrani', 'al-Otaibi|Al Otaibi|Al-Utaybi', 'al-Harbi|Al Harbi',
  'al-Ghamdi|Al Ghamdi', 'al-Qahtani|Al Qahtani|Al Kahtani', 'al-Dosari|Al Dossary', 'al-Mutairi|Al Mutairi', 'al-Anzi|Al Anazi|Al Enezi',
  'Haddad|Hadad', 'Khoury|Khouri', 'Nasrallah|Nasr Allah', 'Mansour|Mansur', 'Saleh|Salih', 'Abbas', 'Darwish|Darweesh', 'Farouk|Faruq',
  'Hamdan', 'Jaber|Jabir', 'Kassem|Qasem', 'Najjar|Najar', 'Osman|Othman|Uthman', 'Rahman', 'Sabbagh|Sabagh', 'Shaheen|Shahin',
  'Yassin|Yasin', 'Zaidan|Zeidan', 'al-Naqbi|Alnaqbi', 'al-Awlaki|Al Awlaqi', 'al-Rubaish|Al Rubaysh', 'al-Hamadi|Al Hammadi',
  'bin Laden|Bin Ladin', 'al-Amiri|Al Ameri', 'al-Kuwari|Al Kuwary', 'al-Fadl|Al Fadhl', 'al-Iraqi|Al Iraqi', 'al-Jabouri|Al Jubouri',
  'al-Dulaimi|Al Duleimi', 'al-Obeidi|Al Ubaydi', 'al-Khatib|Al Khateeb', 'al-Sayed|El Sayed', 'Barakat', 'Haidar|Haider', 'Hijazi|Hegazy',
];
const SINHALA_GIVEN = [
  'Nimal', 'Sunil', 'Kamal', 'Ranjith|Ranjit', 'Sumith|Sumit', 'Chaminda|Chamindha', 'Nuwan', 'Lasantha|Lasanta', 'Mahinda|Mahindha', 'Gamini',
  'Priyantha|Priyanta', 'Ruwan', 'Saman', 'Tharindu|Tarindu', 'Kasun', 'Dinesh', 'Chathura|Chatura', 'Asanka', 'Dilshan', 'Upul',
  'Anura', 'Sarath|Sarat', 'Lalith|Lalit', 'Chandrika|Chandrikka', 'Kumari', 'Nadeesha|Nadisha', 'Dilani', 'Shiromi', 'Sanjeewa|Sanjeeva|Sanjiva',
  'Janaka', 'Keerthi|Kirthi|Keerti', 'Wasantha|Vasantha', 'Thilak|Tilak', 'Buddhika|Budhika', 'Roshan', 'Indika|Indhika', 'Pradeep|Pradip',
];
const SINHALA_FAMILY = [
  'Perera|Pereira', 'Fernando|Fernandu', 'de Silva|De Silva|Silva', 'Jayasuriya|Jayasooriya|Jayasuria', 'Wickramasinghe|Wickremesinghe|Vickramasinghe',
  'Rajapaksa|Rajapakse|Rajapaksha', 'Gunawardena|Gunawardhana|Goonewardene', 'Bandara|Bandhara', 'Herath', 'Dissanayake|Dissanayaka|Dissanayeke',
  'Ranasinghe|Ranasinha', 'Senanayake|Senanayaka', 'Wijesinghe|Vijesinghe|Wijesinha', 'Karunaratne|Karunarathna|Karunaratna',
  'Jayawardena|Jayewardene|Jayawardhana', 'Amarasinghe|Amarasingha', 'Rathnayake|Ratnayake|Rathnayaka', 'Weerasinghe|Verasinghe',
  'Premadasa', 'Samarasinghe|Samarasinha', 'Kumara|Kumarage', 'Ekanayake|Ekanayaka', 'Liyanage', 'Abeysekera|Abeysekara|Abeyesekere',
  'Gunasekara|Gunasekera|Goonesekera', 'Mendis', 'Peiris|Peries', 'Wickramaratne|Wickremaratne', 'Mudiyanselage', 'Seneviratne|Seneviratna',
];
const TAMIL_GIVEN = [
  'Sivakumar|Shivakumar|Civakumar', 'Kanagaratnam|Kanakaratnam|Kanagarathnam', 'Subramaniam|Suppiramaniam|Subramanium', 'Velupillai|Veluppillai',
  'Thirunavukkarasu|Tirunavukarasu', 'Selvarajah|Selvaraja|Celvarajah', 'Ganeshan|Kanesan|Ganesan', 'Rajendran|Rasendran', 'Murugan|Muruhan',
  'Balasubramaniam|Palasuppiramaniam', 'Kandiah|Kanthiah|Kandaiah', 'Ponnambalam|Ponnampalam', 'Sinnathamby|Sinnathambi|Chinnathambi',
  'Thambirajah|Tambirajah|Thambiraja', 'Arumugam|Arumugham', 'Sellathurai|Sellaturai', 'Nadarajah|Natarajah|Nadaraja', 'Kumaraswamy|Kumarasamy',
  'Sivanesan|Shivanesan', 'Prabhakaran|Pirapakaran|Pirabaharan', 'Thiruchelvam|Tiruchelvam', 'Yogeswaran|Yogeshwaran', 'Jeyakumar|Jayakumar',
  'Vijayakumar|Vijeyakumar', 'Mahendran|Magendran', 'Ravichandran|Ravisandran', 'Sritharan|Sridharan', 'Pathmanathan|Padmanathan',
  'Kugathasan|Kugadasan', 'Lakshmi|Letchumi', 'Vasuki', 'Tharshini|Darshini', 'Kalaiselvi|Kalaichelvi',
];
const SOUTH_ASIAN_GIVEN = [
  'Mohammed|Muhammad|Mohd|Md', 'Abdul', 'Rahul', 'Amit', 'Sanjay|Sanjai', 'Rajesh', 'Imran', 'Asif', 'Tariq|Tarik', 'Shahid|Shaheed', 'Nadeem|Nadim',
  'Farhan', 'Kamran', 'Arif', 'Irfan', 'Sajid', 'Zahid', 'Sunil', 'Anil', 'Vijay', 'Ravi', 'Suresh', 'Ramesh', 'Mahesh', 'Priya', 'Anjali', 'Nusrat',
];
const SOUTH_ASIAN_FAMILY = [
  'Khan', 'Rahman', 'Hossain|Hussain|Hosain', 'Islam', 'Ahmed|Ahmad', 'Chowdhury|Choudhury|Chaudhry', 'Sheikh|Shaikh', 'Malik', 'Qureshi|Kureshi',
  'Butt', 'Sharma', 'Kumar', 'Singh', 'Patel', 'Gupta', 'Reddy', 'Nair', 'Iyer', 'Mukherjee|Mukherji', 'Banerjee|Banerji', 'Siddiqui|Siddiqi',
  'Ansari', 'Mirza', 'Haque|Haq', 'Mia|Miah', 'Uddin|ud-Din', 'Akhtar|Akhter', 'Bhuiyan|Bhuiya', 'Sarkar|Sircar', 'Talukder|Talukdar',
];
const RUSSIAN_GIVEN = [
  'Dmitriy|Dmitry|Dmitri', 'Aleksandr|Alexander|Aleksander', 'Sergey|Sergei', 'Andrey|Andrei', 'Aleksey|Alexei|Alexey', 'Vladimir', 'Nikolay|Nikolai',
  'Mikhail|Michail', 'Yuriy|Yury|Yuri', 'Igor', 'Oleg', 'Viktor|Victor', 'Pavel', 'Roman', 'Yevgeniy|Evgeny|Yevgeny', 'Anatoliy|Anatoly',
  'Olga', 'Tatyana|Tatiana', 'Yelena|Elena', 'Natalya|Natalia', 'Irina', 'Svetlana',
];
const RUSSIAN_PATRONYMIC = [
  'Aleksandrovich|Alexandrovich', 'Sergeyevich|Sergeevich', 'Vladimirovich', 'Nikolayevich|Nikolaevich', 'Mikhaylovich|Mikhailovich',
  'Viktorovich', 'Yuryevich|Yurievich', 'Igorevich', 'Olegovich', 'Petrovich', 'Ivanovich', 'Borisovich', 'Anatolyevich|Anatolievich',
];
const RUSSIAN_FAMILY = [
  'Volkov', 'Ivanov', 'Smirnov', 'Kuznetsov|Kuznetsoff', 'Popov', 'Sokolov', 'Lebedev', 'Kozlov', 'Novikov', 'Morozov', 'Petrov', 'Pavlov',
  'Semenov|Semyonov', 'Golubev', 'Vinogradov', 'Bogdanov', 'Vorobyov|Vorobiev', 'Fedorov|Fyodorov', 'Mikhaylov|Mikhailov', 'Belyaev|Belyayev',
  'Tarasov', 'Belov', 'Komarov', 'Orlov', 'Kiselev|Kiselyov', 'Makarov', 'Andreyev|Andreev', 'Kovalev|Kovalyov', 'Ilyin|Ilin', 'Gusev',
  'Titov', 'Kuzmin', 'Kudryavtsev|Kudriavtsev', 'Baranov', 'Kulikov', 'Alekseyev|Alekseev', 'Stepanov', 'Yakovlev|Iakovlev', 'Sorokin',
  'Sergeyev|Sergeev', 'Romanov', 'Zakharov|Zaharov', 'Borisov', 'Korolev|Korolyov', 'Gerasimov', 'Ponomarev|Ponomaryov', 'Grigoryev|Grigoriev',
];
const CHINESE_GIVEN = [
  'Wei', 'Fang', 'Min', 'Jing', 'Lei', 'Jun', 'Yong', 'Jie', 'Tao', 'Ming', 'Chao', 'Hui', 'Xiaoming|Xiao Ming', 'Jianguo|Jian Guo', 'Zhiwei|Zhi Wei',
  'Haiyan|Hai Yan', 'Guoqiang|Guo Qiang', 'Dong', 'Hong', 'Kang', 'Hao', 'Yan', 'Ping', 'Qiang',
];
const CHINESE_FAMILY = [
  'Li|Lee', 'Wang|Wong', 'Zhang|Chang', 'Liu|Lau', 'Chen|Chan', 'Yang|Yeung', 'Huang|Wong', 'Zhao|Chiu', 'Wu|Ng', 'Zhou|Chow', 'Xu|Hsu', 'Sun',
  'Ma', 'Zhu|Chu', 'Hu|Woo', 'Guo|Kwok', 'He|Ho', 'Lin|Lam', 'Gao|Ko', 'Luo|Law',
];
const LATIN_GIVEN = [
  'José|Jose', 'Juan', 'Carlos', 'Luis', 'Jorge', 'Miguel', 'Pedro', 'Alejandro', 'Fernando', 'Ricardo', 'Rafael', 'Manuel', 'Francisco',
  'Javier|Xavier', 'Diego', 'Andrés|Andres', 'Óscar|Oscar', 'María|Maria', 'Ana', 'Carmen', 'Rosa', 'Lucía|Lucia', 'Jesús|Jesus',
];
const LATIN_FAMILY = [
  'García|Garcia', 'Rodríguez|Rodriguez', 'Martínez|Martinez', 'Hernández|Hernandez', 'López|Lopez', 'González|Gonzalez', 'Pérez|Perez',
  'Sánchez|Sanchez', 'Ramírez|Ramirez', 'Torres', 'Flores', 'Rivera', 'Gómez|Gomez', 'Díaz|Diaz', 'Cruz', 'Morales', 'Reyes', 'Gutiérrez|Gutierrez',
  'Ortiz', 'Mendoza', 'Castillo', 'Vargas', 'Romero', 'Herrera', 'Medina', 'Aguilar', 'Castro', 'Jiménez|Jimenez', 'Ruiz', 'Álvarez|Alvarez',
  'Guzmán|Guzman', 'Salazar', 'Rojas', 'Caro Quintero', 'Fuentes', 'Carrillo', 'Zambada', 'Beltrán Leyva|Beltran Leyva', 'Ochoa', 'Escobar',
];

/** Builds name groups from stems and endings, the way these naming traditions compose names. */
function compose(stems: readonly string[], endings: readonly string[]): string[] {
  const out: string[] = [];
  for (const stem of stems) for (const ending of endings) out.push(ending.split('|').map((e) => stem + e).join('|'));
  return out;
}

const ARABIC_NISBA = (() => {
  const consonants = ['b', 't', 'j', 'h', 'kh', 'd', 'r', 'z', 's', 'sh', 'f', 'q', 'k', 'l', 'm', 'n', 'w', 'gh'];
  const out: string[] = [];
  for (const a of consonants) for (const b of consonants) for (const c of ['b', 'd', 'r', 'n', 'l', 'm', 'sh', 'z']) {
    if (a === b) continue;
    const stem = `${a}a${b}a${c}`;
    const cap = stem[0]?.toUpperCase() + stem.slice(1);
    out.push(`al-${cap}i|Al ${cap}i|Al-${cap}y`);
  }
  return out;
})();
const SINHALA_COMPOUND = compose(
  ['Wickrama', 'Jaya', 'Guna', 'Rana', 'Wije', 'Karuna', 'Amara', 'Rathna', 'Weera', 'Samara', 'Senevi', 'Abey', 'Dissa', 'Eka', 'Sena',
    'Dharma', 'Siri', 'Chandra', 'Kumara', 'Wimala', 'Nanda', 'Upali', 'Hetti', 'Muna', 'Pathi', 'Liya', 'Kula', 'Sumana', 'Wanni', 'Athu'],
  ['singhe|singha|sinha', 'wardena|wardhana|wardene', 'sekara|sekera', 'ratne|rathna|ratna', 'nayake|nayaka', 'suriya|sooriya', 'tilleke|tilake',
    'koon|kone', 'pala', 'bandara|bandhara', 'gamage|gama', 'rachchi|rachchige', 'wickrama|vickrama', 'weera|veera', 'deniya'],
);
const TAMIL_COMPOUND = compose(
  ['Siva|Shiva', 'Kanaga|Kanaka', 'Bala|Pala', 'Thiru|Tiru', 'Selva|Chelva', 'Yoges|Yogesh', 'Sri', 'Vija|Vije', 'Ravi', 'Jeya|Jaya', 'Kuga',
    'Mahe', 'Pathma|Padma', 'Nada|Natha', 'Thamba|Tamba', 'Ganes|Kanes', 'Muru', 'Ponna', 'Sinna|Chinna', 'Velu', 'Arul', 'Kandas', 'Ratna|Rathna',
    'Sunda|Suntha', 'Mano', 'Prem', 'Uma', 'Shan', 'Thava', 'Vasu'].flatMap((stem) => stem.split('|').slice(0, 1)),
  ['kumar', 'ratnam|rathnam', 'subramaniam|suppiramaniam', 'chandran|sandran', 'rajah|raja', 'lingam', 'nathan|nadan', 'thurai|turai', 'pillai',
    'varan|waran', 'dasan|thasan', 'eswaran|eshwaran', 'moorthy|murthy', 'rasa|rasah', 'ruban', 'bavan|pavan'],
);
const RUSSIAN_COMPOUND = compose(
  ['Bel', 'Chern', 'Dobr', 'Grom', 'Kras', 'Lys', 'Medved', 'Nov', 'Ostr', 'Rud', 'Sed', 'Tikh', 'Zhuk', 'Bar', 'Vas', 'Kar', 'Lav', 'Mar', 'Pol',
    'Sav', 'Tar', 'Kulik', 'Shir', 'Zub', 'Gol', 'Khlop', 'Yer', 'Dem', 'Fil', 'Gav'],
  ['ov|off', 'ev|yev', 'in|yin', 'sky|skiy|skii', 'enko', 'chuk|czuk', 'ovich', 'ikov'],
);
const CHINESE_SYLLABLES = ['an', 'bo', 'chen', 'cheng', 'da', 'fei', 'feng', 'gang', 'guo', 'hai', 'hua', 'jia', 'jian', 'jin', 'kai', 'lan', 'li',
  'lin', 'long', 'mei', 'ning', 'peng', 'qing', 'rong', 'shan', 'sheng', 'shu', 'ting', 'wen', 'xia', 'xin', 'xue', 'ya', 'yi', 'yu', 'yun', 'ze', 'zhen', 'zhi'];
const CHINESE_DOUBLE = CHINESE_SYLLABLES.flatMap((a) =>
  CHINESE_SYLLABLES.filter((b) => a !== b).map((b) => `${a[0]?.toUpperCase()}${a.slice(1)}${b}|${a[0]?.toUpperCase()}${a.slice(1)} ${b[0]?.toUpperCase()}${b.slice(1)}`),
);

// Shares follow the published lists: few Sri Lankans, many Arabic, Russian and Latin American names.
const CULTURES: readonly Culture[] = [
  { name: 'arabic', share: 0.4, countries: ['sy', 'iq', 'ye', 'sa', 'lb', 'eg', 'ae', 'ly', 'so', 'sd', 'jo', 'ps'],
    given: ARABIC_GIVEN.map(g), middle: ARABIC_GIVEN.map(g),
    family: [...ARABIC_FAMILY, ...ARABIC_NISBA].map(g), familyFirst: false },
  { name: 'sinhala', share: 0.02, countries: ['lk'],
    given: SINHALA_GIVEN.map(g), middle: SINHALA_COMPOUND.map(g),
    family: [...SINHALA_FAMILY, ...SINHALA_COMPOUND].map(g), familyFirst: true },
  { name: 'tamil', share: 0.03, countries: ['lk', 'in'],
    given: [...TAMIL_GIVEN, ...TAMIL_COMPOUND].map(g), middle: [],
    family: [...TAMIL_GIVEN, ...TAMIL_COMPOUND].map(g), familyFirst: true },
  { name: 'south-asian', share: 0.12, countries: ['pk', 'bd', 'in', 'af'],
    given: SOUTH_ASIAN_GIVEN.map(g), middle: SOUTH_ASIAN_GIVEN.map(g),
    family: SOUTH_ASIAN_FAMILY.map(g), familyFirst: false },
  { name: 'russian', share: 0.2, countries: ['ru', 'by', 'ua', 'kz'],
    given: RUSSIAN_GIVEN.map(g), middle: RUSSIAN_PATRONYMIC.map(g),
    family: [...RUSSIAN_FAMILY, ...RUSSIAN_COMPOUND].map(g), familyFirst: false },
  { name: 'chinese', share: 0.08, countries: ['cn', 'hk', 'kp'],
    given: [...CHINESE_GIVEN, ...CHINESE_DOUBLE].map(g), middle: [],
    family: CHINESE_FAMILY.map(g), familyFirst: true },
  { name: 'latin', share: 0.15, countries: ['mx', 'co', 've', 'pe', 'cu', 'ni'],
    given: LATIN_GIVEN.map(g), middle: LATIN_FAMILY.map(g),
    family: LATIN_FAMILY.map(g), familyFirst: false },
];

const ORG_WORDS = [
  'Global', 'Trading', 'General', 'International', 'Petroleum', 'Shipping', 'Maritime', 'Logistics', 'Holding', 'Investment', 'Industrial',
  'Energy', 'Gulf', 'Eastern', 'Pacific', 'Ocean', 'Star', 'Golden', 'United', 'Commercial', 'Technology', 'Engineering', 'Metals', 'Mining',
  'Export', 'Import', 'Finance', 'Exchange', 'Pearl', 'Crescent', 'Lanka', 'Ceylon', 'Orient', 'Atlas', 'Phoenix', 'Falcon', 'Silk', 'Road',
];
const ORG_FORMS = ['LLC', 'Ltd', 'Company', 'Co.', 'FZE', 'JSC', 'Pvt Ltd', 'Limited', 'S.A.', 'GmbH', 'Group', 'Establishment'];

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function chooseCulture(random: Random): Culture {
  let r = random();
  for (const culture of CULTURES) {
    r -= culture.share;
    if (r <= 0) return culture;
  }
  return CULTURES[0] as Culture;
}

/** A person's name as groups (so variants can be spelled differently) and one spelling of it. */
export interface GeneratedName {
  readonly groups: readonly Group[];
  readonly culture: Culture;
}

export function generatePersonName(random: Random, culture = chooseCulture(random)): GeneratedName {
  const given = pick(random, culture.given);
  const family = pick(random, culture.family);
  const groups: Group[] = [given];
  if (culture.middle.length > 0 && random() < 0.55) groups.push(pick(random, culture.middle));
  if (culture.name === 'arabic' && random() < 0.3) groups.push(pick(random, culture.middle));
  groups.push(family);
  if (culture.familyFirst) groups.unshift(groups.pop() as Group);
  return { groups, culture };
}

/** One spelling of a generated name; `variant` > 0 picks other transliterations where a group has them. */
export function spell(name: GeneratedName, random: Random, variant: number): string {
  return name.groups.map((group) => (variant === 0 ? (group[0] ?? '') : pick(random, group))).join(' ');
}

function birthDate(random: Random): string {
  const year = 1940 + Math.floor(random() * 60);
  const month = 1 + Math.floor(random() * 12);
  const day = 1 + Math.floor(random() * 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A list of `size` entries, deterministic for a seed: ~88% persons, the rest organisations and vessels. */
export function generateSyntheticList(size: number, seed = 42): ListEntry[] {
  const random = seededRandom(seed);
  const entries: ListEntry[] = [];
  for (let i = 0; i < size; i++) {
    const r = random();
    if (r < 0.88) {
      const person = generatePersonName(random);
      const aliases = new Set<string>();
      const aliasCount = Math.floor(random() * 4);
      for (let a = 0; a < aliasCount; a++) aliases.add(spell(person, random, a + 1));
      const name = spell(person, random, 0);
      aliases.delete(name);
      const dobs = random() < 0.8 ? [birthDate(random)] : random() < 0.5 ? [String(1940 + Math.floor(random() * 60))] : [];
      entries.push({
        id: `synthetic:${i}`,
        source: 'opensanctions',
        kind: random() < 0.75 ? 'sanction' : 'pep',
        schema: 'person',
        name,
        aliases: [...aliases],
        birthDates: dobs,
        countries: [pick(random, person.culture.countries)],
        programs: ['SYNTHETIC'],
      });
    } else {
      const schema: ListSchema = r < 0.97 ? 'organization' : 'vessel';
      const words = [pick(random, ORG_WORDS), pick(random, ORG_WORDS), ...(random() < 0.5 ? [pick(random, ORG_WORDS)] : [])];
      const name = schema === 'vessel' ? words.join(' ').toUpperCase() : `${words.join(' ')} ${pick(random, ORG_FORMS)}`;
      entries.push({
        id: `synthetic:${i}`, source: 'opensanctions', kind: 'sanction', schema, name, aliases: [], birthDates: [],
        countries: [pick(random, CULTURES.flatMap((c) => c.countries))], programs: ['SYNTHETIC'],
      });
    }
  }
  return entries;
}

/** The reference tenant is Sri Lankan: most of its customers have Sinhala or Tamil names. */
const CUSTOMER_LOCAL_SHARE = 0.7;

/** Customer names drawn from the same name stock (so they share tokens with the list, as real customers do). */
export function generateCustomerNames(count: number, seed = 7): string[] {
  const random = seededRandom(seed);
  const names: string[] = [];
  const local = CULTURES.filter((c) => c.countries.includes('lk'));
  for (let i = 0; i < count; i++) {
    const culture = random() < CUSTOMER_LOCAL_SHARE ? pick(random, local) : chooseCulture(random);
    names.push(spell(generatePersonName(random, culture), random, 1));
  }
  return names;
}
