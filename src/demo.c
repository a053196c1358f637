/* demo.c: the demo data generator: centres, staff, persons, applications and
 * their checklists, deterministic for a seed, written in bulk mode. */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/application.h"
#include "db/cache.h"
#include "db/person.h"
#include "db/staff.h"
#include "src/application.h"
#include "src/date.h"
#include "src/demo.h"
#include "src/i18n.h"
#include "src/text.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Persons per write transaction: big enough to amortise the commit, small
 * enough to keep the WAL (and memory) bounded. */
#define CHUNK 25000
/* Progress is reported every this many persons. */
#define PROGRESS_STEP 2000
/* Dates cover birth dates up to ~100 years back and ~2 years of applications. */
#define DAYS_BACK 37000
#define APP_DAYS  730

static const char demo_notes[] = "DEMO DATA - fictitious person, not a real case.";

/* --- the pseudo-random generator: xoshiro256** seeded by splitmix64 --- */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n) (Lemire's multiply-shift; the bias is negligible here). */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* True with probability per_mille / 1000. */
static inline int rng_chance(struct rng *r, unsigned per_mille)
{
	return rng_below(r, 1000) < per_mille;
}

/* --- weighted choice over cumulative weights --- */

struct wtable {
	uint32_t *cum; /* cum[i] = sum of weights 0..i */
	unsigned n;
};

static enum rc wtable_init(struct wtable *t, const unsigned *w, unsigned n)
{
	uint32_t sum = 0;
	t->cum = malloc(n * sizeof *t->cum);
	if (!t->cum)
		return RC_NOMEM;
	for (unsigned i = 0; i < n; i++)
		t->cum[i] = sum += w[i];
	t->n = n;
	return RC_OK;
}

/* Weights falling with rank (Zipf-like): lists are ordered most common first. */
static enum rc wtable_init_zipf(struct wtable *t, unsigned n)
{
	unsigned *w = malloc(n * sizeof *w);
	enum rc rc;
	if (!w)
		return RC_NOMEM;
	for (unsigned i = 0; i < n; i++)
		w[i] = 100000 / (i + 3);
	rc = wtable_init(t, w, n);
	free(w);
	return rc;
}

static unsigned wtable_pick(const struct wtable *t, struct rng *r)
{
	uint32_t x = rng_below(r, t->cum[t->n - 1]);
	unsigned lo = 0, hi = t->n - 1;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (t->cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* --- names, by origin; each list ordered most common first --- */

static const char *const nl_family[] = {
    "Peeters",      "Janssens",     "Maes",      "Jacobs",        "Mertens",   "Willems",
    "Claes",        "Goossens",     "Wouters",   "De Smet",       "Vermeulen", "Van den Broeck",
    "Hermans",      "Pauwels",      "Aerts",     "Martens",       "Van Damme", "Michiels",
    "Claeys",       "Smets",        "Desmet",    "Verstraete",    "De Backer", "Stevens",
    "Van de Velde", "Bogaert",      "Cools",     "Lemmens",       "De Clercq", "Hendrickx",
    "Verhoeven",    "Vandenberghe", "Van Acker", "Segers",        "Wuyts",     "Coppens",
    "De Wilde",     "Vermeiren",    "Thys",      "Geerts",        "Verbeke",   "Baert",
    "Van Hecke",    "Van Dyck",     "D'Hondt",   "Daniëls",       "Mariën",    "De Coninck",
    "Verschueren",  "Van Impe",     "Geeraerts", "Van Ryckeghem", "Noë",       "Vanderstraeten",
    "Dewaele",      "Beeckman",     "Van Looy",  "Hoëbeke",       "Sterckx",   "Van Goethem",
};
static const char *const nl_male[] = {
    "Jan",     "Luc",   "Marc",  "Peter",  "Dirk",  "Jozef", "Frans", "Bart", "Koen",  "Tom",
    "Pieter",  "Wim",   "Geert", "Wouter", "Stijn", "Jens",  "Lars",  "Noah", "Lucas", "Arthur",
    "Louis",   "Jules", "Daan",  "Seppe",  "Rik",   "Willy", "André", "René", "Björn", "Jürgen",
    "Michiel", "Thijs", "Ruben", "Kobe",   "Jef",   "Raf",   "Gust",  "Staf",
};
static const char *const nl_female[] = {
    "Maria", "Anna",     "An",        "Els",   "Katrien",    "Sofie",    "Lien",
    "Emma",  "Marie",    "Zoë",       "Noor",  "Lotte",      "Hanne",    "Ine",
    "Griet", "Veerle",   "Kristien",  "Hilde", "Liesbeth",   "Annelies", "Mariëtte",
    "Chloë", "Leen",     "Nele",      "Joke",  "Ann-Sophie", "Femke",    "Eline",
    "Jana",  "Mathilde", "Godelieve", "Rita",  "Mia",        "Linde",
};
static const char *const fr_family[] = {
    "Dubois",    "Lambert", "Dupont",   "Martin",   "Simon",     "Leclercq", "Laurent",
    "Dumont",    "Lejeune", "Renard",   "Mercier",  "François",  "Lefèvre",  "Leroy",
    "Fontaine",  "Gérard",  "Michel",   "Denis",    "Lemaire",   "Collard",  "Henry",
    "Lacroix",   "Gilson",  "Lecocq",   "Hubert",   "Noël",      "Bodart",   "Masson",
    "Piron",     "Dethier", "Duprée",   "Maréchal", "Léonard",   "Delvaux",  "Wauthier",
    "Collignon", "Thiry",   "Delhaye",  "Lambotte", "Évrard",    "Jadoul",   "Lefèbvre",
    "Pétré",     "Lhoest",  "Gauthier", "Désiré",   "Houssière", "Dupré",    "Ferrière",
    "Sépulchre", "Rosière", "Gillet",   "Warnier",  "Baudoux",
};
static const char *const fr_male[] = {
    "Jean",      "Pierre",   "Michel",        "Philippe", "Jacques",  "Alain",  "Marc",   "André",
    "René",      "Jérôme",   "François",      "Frédéric", "Stéphane", "Benoît", "Cédric", "Grégory",
    "Sébastien", "Jean-Luc", "Jean-François", "Théo",     "Noé",      "Léon",   "Hugo",   "Gabriel",
    "Raphaël",   "Loïc",     "Joël",          "Gaëtan",   "Quentin",  "Maxime", "Émile",  "Hervé",
};
static const char *const fr_female[] = {
    "Marie",   "Anne",    "Isabelle", "Nathalie", "Hélène", "Anaïs",      "Chloé",     "Léa",
    "Manon",   "Camille", "Émilie",   "Céline",   "Sylvie", "Françoise",  "Josée",     "Mélanie",
    "Océane",  "Élise",   "Zoé",      "Inès",     "Noémie", "Anne-Marie", "Geneviève", "Valérie",
    "Aurélie", "Thérèse", "Clémence", "Renée",    "Maëlle", "Louise",     "Bénédicte", "Agnès",
};
static const char *const de_family[] = {
    "Müller", "Schmitz", "Heinen",  "Kreutz",  "Maraite", "Hoffmann", "Thelen", "Schröder",
    "Jöris",  "Mreyen",  "Lenz",    "Hilgers", "Cremer",  "Küpper",   "Weber",  "Kohnen",
    "Krings", "Jost",    "Reuter",  "Förster", "Kessler", "Theißen",  "Mießen", "Brüls",
    "Schür",  "Köttgen", "Fickers", "Backes",  "Jütten",  "Gödde",
};
static const char *const de_male[] = {
    "Günther", "Jürgen", "Klaus",   "Hans",     "Peter", "Werner",  "Helmut",  "Stefan",
    "Andreas", "Thomas", "Michael", "Jörg",     "Uwe",   "Dieter",  "Rüdiger", "Lukas",
    "Jonas",   "Leon",   "Felix",   "Matthias", "Björn", "Joachim", "Bernd",   "Norbert",
};
static const char *const de_female[] = {
    "Ursula", "Monika",    "Sabine",   "Petra", "Brigitte",  "Jutta",   "Birgit",
    "Gisela", "Hannelore", "Annegret", "Lena",  "Sophie",    "Leonie",  "Marlene",
    "Käthe",  "Bärbel",    "Dörte",    "Jana",  "Anneliese", "Gertrud",
};
static const char *const ma_family[] = {
    "El Amrani", "Benali",      "El Idrissi", "Bouzid",   "Ait Ouali",
    "Ouahabi",   "El Khattabi", "Azzouzi",    "Boukhari", "Ben Said",
};
static const char *const ma_male[] = {"Mohamed", "Ahmed", "Youssef", "Karim",
                                      "Rachid",  "Mehdi", "Hamza"};
static const char *const ma_female[] = {"Fatima",  "Khadija", "Nadia", "Samira",
                                        "Yasmina", "Amina",   "Imane"};
static const char *const tr_family[] = {"Yılmaz", "Kaya",  "Demir", "Öztürk",
                                        "Çelik",  "Şahin", "Aydın", "Doğan"};
static const char *const tr_male[] = {"Mehmet", "Mustafa", "Ahmet", "Emre", "Hüseyin", "Murat"};
static const char *const tr_female[] = {"Ayşe", "Fatma", "Emine", "Zeynep", "Elif", "Hülya"};
static const char *const it_family[] = {"Rossi",  "Russo",   "Esposito", "Bianchi",
                                        "Romano", "Colombo", "Ricci",    "Di Stefano"};
static const char *const it_male[] = {"Giuseppe", "Giovanni", "Antonio",
                                      "Marco",    "Luca",     "Salvatore"};
static const char *const it_female[] = {"Maria", "Giulia", "Francesca", "Rosa", "Anna", "Concetta"};
static const char *const pl_family[] = {"Nowak",  "Kowalczyk", "Wiśniewski",
                                        "Wójcik", "Kamiński",  "Lewandowski"};
static const char *const pl_male[] = {"Piotr", "Krzysztof", "Tomasz", "Paweł", "Łukasz"};
static const char *const pl_female[] = {"Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Joanna"};
static const char *const ro_family[] = {"Popescu",    "Ionescu", "Popa",
                                        "Constantin", "Stan",    "Dumitru"};
static const char *const ro_male[] = {"Andrei", "Ion", "Mihai", "Alexandru", "Ștefan"};
static const char *const ro_female[] = {"Elena", "Ioana", "Maria", "Andreea", "Mădălina"};
static const char *const es_family[] = {"García", "Fernández", "Martínez",
                                        "López",  "Sánchez",   "Pérez"};
static const char *const es_male[] = {"José", "Manuel", "Carlos", "Javier", "Jesús"};
static const char *const es_female[] = {"María", "Carmen", "Ana", "Lucía", "Pilar"};
static const char *const pt_family[] = {"Silva",   "Santos",    "Ferreira",
                                        "Pereira", "Gonçalves", "Rodrigues"};
static const char *const pt_male[] = {"João", "António", "Manuel", "Luís", "Rui"};
static const char *const pt_female[] = {"Maria", "Ana", "Conceição", "Fátima", "Inês"};
static const char *const cd_family[] = {"Mukendi", "Kabongo", "Ilunga", "Tshibangu",
                                        "Kalonji", "Mbuyi",   "Lukusa"};
static const char *const cd_male[] = {"Jean-Pierre", "Patrick", "Emmanuel", "Joseph", "Christian"};
static const char *const cd_female[] = {"Marie-Claire", "Grâce", "Esther", "Chantal", "Béatrice"};
static const char *const ua_family[] = {"Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko",
                                        "Melnyk"};
static const char *const ua_male[] = {"Oleksandr", "Andrii", "Serhii", "Mykola", "Dmytro"};
static const char *const ua_female[] = {"Olena", "Iryna", "Nataliia", "Tetiana", "Oksana"};

enum origin {
	OR_NL,
	OR_FR,
	OR_DE,
	OR_MA,
	OR_TR,
	OR_IT,
	OR_PL,
	OR_RO,
	OR_ES,
	OR_PT,
	OR_CD,
	OR_UA,
	OR_COUNT
};

static const struct origin_names {
	const char *const *v[3]; /* family, male, female */
	unsigned n[3];
} origins[OR_COUNT] = {
#define ORIGIN(f, m, w)                                                                            \
	{                                                                                          \
		{f, m, w},                                                                         \
		{                                                                                  \
			N(f), N(m), N(w)                                                           \
		}                                                                                  \
	}
    ORIGIN(nl_family, nl_male, nl_female), ORIGIN(fr_family, fr_male, fr_female),
    ORIGIN(de_family, de_male, de_female), ORIGIN(ma_family, ma_male, ma_female),
    ORIGIN(tr_family, tr_male, tr_female), ORIGIN(it_family, it_male, it_female),
    ORIGIN(pl_family, pl_male, pl_female), ORIGIN(ro_family, ro_male, ro_female),
    ORIGIN(es_family, es_male, es_female), ORIGIN(pt_family, pt_male, pt_female),
    ORIGIN(cd_family, cd_male, cd_female), ORIGIN(ua_family, ua_male, ua_female),
#undef ORIGIN
};

/* Belgians whose names come from elsewhere: weights per origin. */
static const unsigned heritage_w[OR_COUNT] = {0, 0, 0, 35, 20, 25, 5, 5, 3, 2, 10, 0};

/* Foreign nationals: country, origin of the names, EU member, weight. */
static const struct nationality {
	char code[3];
	enum origin origin;
	int eu;
} nationalities[] = {
    {"FR", OR_FR, 1}, {"NL", OR_NL, 1}, {"IT", OR_IT, 1}, {"MA", OR_MA, 0},
    {"RO", OR_RO, 1}, {"PL", OR_PL, 1}, {"ES", OR_ES, 1}, {"PT", OR_PT, 1},
    {"TR", OR_TR, 0}, {"DE", OR_DE, 1}, {"CD", OR_CD, 0}, {"UA", OR_UA, 0},
};
static const unsigned nationality_w[] = {160, 120, 120, 100, 90, 60, 50, 40, 40, 30, 40, 30};

/* --- places --- */

enum { R_BRUSSELS, R_FLANDERS, R_WALLONIA, R_GERMAN, R_COUNT };
/* Population shares in per mille (2023, the German-speaking area apart). */
static const unsigned region_w[R_COUNT] = {106, 580, 307, 7};
/* Share of foreign nationals among applicants, per mille. */
static const unsigned region_foreign[R_COUNT] = {280, 60, 80, 180};

struct place {
	int code;
	const char *name;    /* in the region's language (French in Brussels) */
	const char *name_nl; /* Dutch name in Brussels, or NULL */
	unsigned weight;     /* thousands of inhabitants */
};

static const struct place bru_places[] = {
    {1000, "Bruxelles", "Brussel", 185},
    {1030, "Schaerbeek", "Schaarbeek", 133},
    {1040, "Etterbeek", "Etterbeek", 48},
    {1050, "Ixelles", "Elsene", 87},
    {1060, "Saint-Gilles", "Sint-Gillis", 50},
    {1070, "Anderlecht", "Anderlecht", 121},
    {1080, "Molenbeek-Saint-Jean", "Sint-Jans-Molenbeek", 97},
    {1081, "Koekelberg", "Koekelberg", 22},
    {1082, "Berchem-Sainte-Agathe", "Sint-Agatha-Berchem", 25},
    {1083, "Ganshoren", "Ganshoren", 25},
    {1090, "Jette", "Jette", 52},
    {1140, "Evere", "Evere", 42},
    {1150, "Woluwe-Saint-Pierre", "Sint-Pieters-Woluwe", 42},
    {1160, "Auderghem", "Oudergem", 34},
    {1170, "Watermael-Boitsfort", "Watermaal-Bosvoorde", 25},
    {1180, "Uccle", "Ukkel", 83},
    {1190, "Forest", "Vorst", 56},
    {1200, "Woluwe-Saint-Lambert", "Sint-Lambrechts-Woluwe", 58},
    {1210, "Saint-Josse-ten-Noode", "Sint-Joost-ten-Node", 27},
};
static const struct place vl_places[] = {
    {2000, "Antwerpen", NULL, 300},
    {2100, "Deurne", NULL, 80},
    {2140, "Borgerhout", NULL, 45},
    {2170, "Merksem", NULL, 45},
    {2600, "Berchem", NULL, 42},
    {2610, "Wilrijk", NULL, 42},
    {2640, "Mortsel", NULL, 26},
    {2800, "Mechelen", NULL, 87},
    {2300, "Turnhout", NULL, 45},
    {2400, "Mol", NULL, 37},
    {2440, "Geel", NULL, 41},
    {2500, "Lier", NULL, 36},
    {2200, "Herentals", NULL, 28},
    {2900, "Schoten", NULL, 34},
    {2930, "Brasschaat", NULL, 38},
    {3000, "Leuven", NULL, 102},
    {3010, "Kessel-Lo", NULL, 30},
    {3200, "Aarschot", NULL, 30},
    {3300, "Tienen", NULL, 35},
    {3290, "Diest", NULL, 24},
    {1500, "Halle", NULL, 40},
    {1800, "Vilvoorde", NULL, 45},
    {1700, "Dilbeek", NULL, 43},
    {1930, "Zaventem", NULL, 34},
    {1600, "Sint-Pieters-Leeuw", NULL, 34},
    {3500, "Hasselt", NULL, 80},
    {3600, "Genk", NULL, 66},
    {3700, "Tongeren", NULL, 31},
    {3800, "Sint-Truiden", NULL, 41},
    {3900, "Pelt", NULL, 33},
    {3920, "Lommel", NULL, 35},
    {3630, "Maasmechelen", NULL, 38},
    {3580, "Beringen", NULL, 46},
    {9000, "Gent", NULL, 265},
    {9100, "Sint-Niklaas", NULL, 80},
    {9200, "Dendermonde", NULL, 46},
    {9300, "Aalst", NULL, 88},
    {9400, "Ninove", NULL, 39},
    {9500, "Geraardsbergen", NULL, 33},
    {9600, "Ronse", NULL, 26},
    {9700, "Oudenaarde", NULL, 32},
    {9800, "Deinze", NULL, 44},
    {9900, "Eeklo", NULL, 21},
    {9160, "Lokeren", NULL, 42},
    {8000, "Brugge", NULL, 119},
    {8400, "Oostende", NULL, 72},
    {8500, "Kortrijk", NULL, 78},
    {8800, "Roeselare", NULL, 64},
    {8900, "Ieper", NULL, 35},
    {8300, "Knokke-Heist", NULL, 33},
    {8700, "Tielt", NULL, 21},
    {8600, "Diksmuide", NULL, 17},
    {8870, "Izegem", NULL, 28},
    {8930, "Menen", NULL, 34},
    {8630, "Veurne", NULL, 12},
};
static const struct place wa_places[] = {
    {4000, "Liège", NULL, 197},
    {4100, "Seraing", NULL, 64},
    {4800, "Verviers", NULL, 55},
    {4500, "Huy", NULL, 21},
    {4400, "Flémalle", NULL, 25},
    {4430, "Ans", NULL, 29},
    {4300, "Waremme", NULL, 15},
    {4600, "Visé", NULL, 17},
    {4040, "Herstal", NULL, 40},
    {4900, "Spa", NULL, 10},
    {5000, "Namur", NULL, 111},
    {5300, "Andenne", NULL, 27},
    {5500, "Dinant", NULL, 13},
    {5060, "Sambreville", NULL, 28},
    {5590, "Ciney", NULL, 16},
    {6000, "Charleroi", NULL, 202},
    {6200, "Châtelet", NULL, 36},
    {6140, "Fontaine-l'Évêque", NULL, 17},
    {6700, "Arlon", NULL, 30},
    {6800, "Libramont-Chevigny", NULL, 11},
    {6900, "Marche-en-Famenne", NULL, 17},
    {6600, "Bastogne", NULL, 16},
    {6530, "Thuin", NULL, 15},
    {7000, "Mons", NULL, 95},
    {7100, "La Louvière", NULL, 81},
    {7500, "Tournai", NULL, 69},
    {7700, "Mouscron", NULL, 59},
    {7300, "Boussu", NULL, 20},
    {7800, "Ath", NULL, 29},
    {7860, "Lessines", NULL, 19},
    {7170, "Manage", NULL, 23},
    {7330, "Saint-Ghislain", NULL, 23},
    {1300, "Wavre", NULL, 34},
    {1340, "Ottignies-Louvain-la-Neuve", NULL, 31},
    {1400, "Nivelles", NULL, 28},
    {1410, "Waterloo", NULL, 30},
    {1420, "Braine-l'Alleud", NULL, 40},
    {1480, "Tubize", NULL, 26},
};
/* The German-speaking area (postcodes 4700-4791); weights in hundreds. */
static const struct place de_places[] = {
    {4700, "Eupen", NULL, 200},       {4701, "Kettenis", NULL, 30},
    {4710, "Lontzen", NULL, 60},      {4711, "Walhorn", NULL, 20},
    {4720, "Kelmis", NULL, 110},      {4721, "Neu-Moresnet", NULL, 20},
    {4730, "Raeren", NULL, 80},       {4731, "Eynatten", NULL, 30},
    {4750, "Bütgenbach", NULL, 56},   {4760, "Büllingen", NULL, 55},
    {4770, "Amel", NULL, 55},         {4780, "Sankt Vith", NULL, 97},
    {4790, "Burg-Reuland", NULL, 40}, {4791, "Thommen", NULL, 10},
};

static const struct {
	const struct place *v;
	unsigned n;
} region_places[R_COUNT] = {
    {bru_places, N(bru_places)},
    {vl_places, N(vl_places)},
    {wa_places, N(wa_places)},
    {de_places, N(de_places)},
};

/* --- centres --- */

#define NCENTRES 10

static const struct {
	const char *code, *name, *language;
	const char *area; /* telephone area code of the town */
} centre_defs[NCENTRES] = {
    {"BRU", "Bruxelles-Brussel (démo/demo)", "fr", "2"},
    {"ANT", "Antwerpen (demo)", "nl", "3"},
    {"GNT", "Gent (demo)", "nl", "9"},
    {"BRG", "Brugge (demo)", "nl", "50"},
    {"HAS", "Hasselt (demo)", "nl", "11"},
    {"LEU", "Leuven (demo)", "nl", "16"},
    {"LIE", "Liège - Eupen (démo)", "fr", "4"},
    {"CHA", "Charleroi (démo)", "fr", "71"},
    {"NAM", "Namur (démo)", "fr", "81"},
    {"MON", "Mons (démo)", "fr", "65"},
};

/* The centre that serves a postcode. */
static int centre_of(int pc)
{
	if (pc < 1300)
		return 0; /* Brussels */
	if (pc < 1500)
		return 0; /* Walloon Brabant: the bilingual centre next door */
	if (pc < 2000)
		return 5; /* Flemish Brabant, Halle-Vilvoorde */
	if (pc < 3000)
		return 1;
	if (pc < 3500)
		return 5;
	if (pc < 4000)
		return 4;
	if (pc < 5000)
		return 6; /* Liège province with the German-speaking area */
	if (pc < 6000)
		return 8;
	if (pc < 6600)
		return 7;
	if (pc < 7000)
		return 8; /* Luxembourg province */
	if (pc < 8000)
		return 9;
	if (pc < 9000)
		return 3;
	return 2;
}

/* --- streets and relations, by language (nl, fr, de) --- */

enum { L_NL, L_FR, L_DE };
static const char *const lang_code[] = {"nl", "fr", "de"};

static const char *const streets[3][14] = {
    {"Kerkstraat", "Stationsstraat", "Dorpstraat", "Molenstraat", "Nieuwstraat", "Schoolstraat",
     "Kapelstraat", "Veldstraat", "Beekstraat", "Lindenlaan", "Meersstraat", "Kasteelstraat",
     "Brugstraat", "Populierenlaan"},
    {"Rue de la Station", "Rue de l'Église", "Rue du Moulin", "Rue Haute", "Chaussée de Bruxelles",
     "Avenue des Tilleuls", "Place Saint-Lambert", "Rue des Écoles", "Rue de la Fontaine",
     "Rue Émile Vandervelde", "Rue du Château", "Rue des Prés", "Avenue Reine Astrid",
     "Rue de la Gare"},
    {"Hauptstraße", "Kirchstraße", "Bahnhofstraße", "Aachener Straße", "Klosterstraße", "Neustraße",
     "Schulstraße", "Mühlenweg", "Rotenbergplatz", "Gospertstraße", "Malmedyer Straße",
     "Herbesthaler Straße", "Am Bach", "Lindenallee"},
};
static const char *const box_word[] = {"bus", "bte", "Bfk."};

enum { REL_PARENT_M, REL_PARENT_F, REL_CHILD_M, REL_CHILD_F, REL_PARTNER, REL_GUARDIAN };
static const char *const relations[3][6] = {
    {"vader", "moeder", "zoon", "dochter", "partner", "bewindvoerder"},
    {"père", "mère", "fils", "fille", "partenaire", "administrateur de biens"},
    {"Vater", "Mutter", "Sohn", "Tochter", "Partner", "Betreuer"},
};

/* --- applications --- */

/* Kinds in the proportions of the 2023 figures (domain.md): new / revision.
 * EDC and VAT certificates are not in that table: EDC ~5% and VAT 2% (its
 * share of the evaluations). */
static const struct {
	enum app_kind kind;
	int revision;
	unsigned w;
} kind_defs[] = {
    {APP_KIND_IVT_IT, 0, 34060},   {APP_KIND_IVT_IT, 1, 131698},
    {APP_KIND_PARKING, 0, 107395}, {APP_KIND_CERTIFICATE, 0, 16347},
    {APP_KIND_VSB, 0, 23781},      {APP_KIND_CHILD_BENEFIT, 1, 4005},
    {APP_KIND_THAB, 0, 36},        {APP_KIND_THAB, 1, 181},
    {APP_KIND_IRISCARE, 0, 36},    {APP_KIND_EDC, 0, 15900},
    {APP_KIND_VAT, 0, 6350},
};

/* Pathologies evaluated in 2023 (per mille); the rest is "other". */
static const unsigned problem_w[APP_PROBLEM_COUNT] = {
    [APP_PROBLEM_PSYCHOLOGICAL] = 289, [APP_PROBLEM_ORTHOPAEDIC] = 264, [APP_PROBLEM_NERVOUS] = 103,
    [APP_PROBLEM_VISION] = 21,         [APP_PROBLEM_HEARING] = 12,      [APP_PROBLEM_OTHER] = 311,
};

/* Applications per person: 1..4, mean ~1.7 (1,000,000 for 600,000). */
static const unsigned napps_w[] = {0, 480, 360, 120, 40};

/* --- staff: 356 in 2023 (domain.md), spread over the centres --- */

static const struct {
	enum role role;
	int count;
} staff_defs[] = {
    {ROLE_RECEPTION, 80},        {ROLE_CLIENT_MANAGER, 56}, {ROLE_DOSSIER_MANAGER, 56},
    {ROLE_SOCIAL_ASSISTANT, 52}, {ROLE_EVALUATOR, 51},      {ROLE_DOCTOR, 32},
    {ROLE_DIRECTOR, 10},         {ROLE_QUALITY, 19},
};
/* The 51 evaluators by discipline. */
static const struct {
	const char *discipline;
	int count;
} evaluator_defs[] = {
    {"psychologist", 15},   {"nurse", 12},           {"occupational_therapist", 11},
    {"physiotherapist", 7}, {"social_assistant", 6},
};

/* The fixed demo logins, one per role, in the first centre. */
static const struct {
	const char *login, *given;
	enum role role;
	const char *discipline;
} fixed_logins[] = {
    {"demo-reception", "Reception", ROLE_RECEPTION, ""},
    {"demo-client", "Client", ROLE_CLIENT_MANAGER, ""},
    {"demo-dossier", "Dossier", ROLE_DOSSIER_MANAGER, ""},
    {"demo-social", "Social", ROLE_SOCIAL_ASSISTANT, "social_assistant"},
    {"demo-evaluator", "Evaluator", ROLE_EVALUATOR, "psychologist"},
    {"demo-doctor", "Doctor", ROLE_DOCTOR, "doctor"},
    {"demo-director", "Director", ROLE_DIRECTOR, ""},
    {"demo-quality", "Quality", ROLE_QUALITY, ""},
};

/* Desk staff (reception, client and dossier managers) per centre, whose ids
 * go to updated_by of the rows of that centre. */
#define MAX_DESK 64

/* --- the generator's state --- */

struct gen {
	struct rng rng;
	struct cache *c;
	long ref;         /* reference day (days since 1970-01-01) */
	long day0;        /* first day of iso[] */
	char (*iso)[11];  /* iso[d - day0]: "YYYY-MM-DD" of day d */
	char stamp[32];   /* updated_at of every row */
	uint64_t uuid_ms; /* next UUIDv7 time stamp (one per row, monotonic) */
	struct centre centres[NCENTRES];
	char desk[NCENTRES][MAX_DESK][37];
	int ndesk[NCENTRES];
	char director[37];  /* demo-director: updated_by of centres and staff */
	uint64_t *insz_set; /* open addressing set of the INSZ numbers used */
	size_t insz_mask;
	uint64_t fp; /* FNV-1a fingerprint */
	struct demo_stats st;
	struct wtable region_t, nationality_t, heritage_t, kind_t, problem_t, napps_t;
	struct wtable place_t[R_COUNT];
	struct wtable names_t[OR_COUNT][3];
	struct person p;
	struct application a;
	struct app_document d;
};

static void fp_add(struct gen *g, const char *s)
{
	uint64_t h = g->fp;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	g->fp = (h ^ 0xff) * 0x100000001b3ULL; /* field separator */
}

static void fp_add_int(struct gen *g, long v)
{
	g->fp = (g->fp ^ (uint64_t)v) * 0x100000001b3ULL;
}

/* A time-ordered (version 7) UUID from the seeded generator: ids follow the
 * insertion order, so the indexes on them grow at their end. */
static void gen_uuid(struct gen *g, char out[37])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t ms = g->uuid_ms++, r = rng_next(&g->rng);
	unsigned char b[16];
	int k = 0;
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	for (int i = 6; i < 14; i++)
		b[i] = (unsigned char)(r >> (8 * (i - 6)));
	r = rng_next(&g->rng);
	b[14] = (unsigned char)r;
	b[15] = (unsigned char)(r >> 8);
	b[6] = (unsigned char)(0x70 | (b[6] & 0x0f));
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = hex[b[i] >> 4];
		out[k++] = hex[b[i] & 15];
	}
	out[k] = '\0';
}

static void copy_id(char dst[37], const char *src)
{
	size_t n = strnlen(src, 36);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void set_meta(struct gen *g, struct row_meta *m, const char *centre_id, const char *by)
{
	gen_uuid(g, m->id);
	copy_id(m->centre_id, centre_id);
	m->version = 1; /* as if it came from the central service */
	memcpy(m->updated_at, g->stamp, sizeof g->stamp);
	copy_id(m->updated_by, by);
	m->deleted = false;
}

/* Lower-case ASCII letters of a name, for logins and e-mail addresses. */
static void slug(const char *name, char *out, size_t size)
{
	char folded[128];
	size_t k = 0;
	text_fold(name, folded, sizeof folded);
	for (const char *s = folded; *s && k + 1 < size; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
			out[k++] = *s;
	out[k] = '\0';
}

static void put_digits(char *out, unsigned long v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* A mobile number, "+324XXXXXXXX". */
static void gen_mobile(struct gen *g, char *out)
{
	memcpy(out, "+324", 4);
	out[4] = (char)('5' + rng_below(&g->rng, 5));
	put_digits(out + 5, rng_below(&g->rng, 10000000), 7);
	out[12] = '\0';
}

/* A fixed line in the area of a centre: 8 national digits after +32. */
static void gen_landline(struct gen *g, const char *area, char *out)
{
	size_t n = strlen(area);
	memcpy(out, "+32", 3);
	memcpy(out + 3, area, n);
	/* subscriber numbers do not start with 0 or 1 */
	out[3 + n] = (char)('2' + rng_below(&g->rng, 8));
	put_digits(out + 4 + n, rng_below(&g->rng, 10000000), (int)(7 - n));
	out[11] = '\0';
}

static enum rc gen_init(struct gen *g, struct cache *c, const struct demo_options *o, char **cause)
{
	struct date today;
	unsigned w[64];
	enum rc rc;

	g->c = c;
	rng_seed(&g->rng, (uint64_t)o->seed);
	if (o->today && *o->today) {
		if (!date_parse(o->today, &today)) {
			if (asprintf(cause, _("invalid reference date '%s'"), o->today) < 0)
				*cause = NULL;
			return RC_INVALID;
		}
	} else {
		today = date_today();
	}
	g->ref = date_to_days(today);
	g->day0 = g->ref - DAYS_BACK;
	g->iso = malloc((DAYS_BACK + 1) * sizeof *g->iso);
	if (!g->iso)
		return RC_NOMEM;
	for (long d = 0; d <= DAYS_BACK; d++)
		date_format_iso(date_from_days(g->day0 + d), g->iso[d]);
	snprintf(g->stamp, sizeof g->stamp, "%sT06:00:00Z", g->iso[DAYS_BACK]);
	g->uuid_ms = (uint64_t)g->ref * 86400000ULL + 6 * 3600000ULL;
	g->fp = 0xcbf29ce484222325ULL;

	/* the INSZ set: at most half full */
	size_t cap = 1024;
	while (cap < (size_t)o->persons * 2 + 1024)
		cap *= 2;
	g->insz_set = calloc(cap, sizeof *g->insz_set);
	if (!g->insz_set)
		return RC_NOMEM;
	g->insz_mask = cap - 1;

	if ((rc = wtable_init(&g->region_t, region_w, R_COUNT)) ||
	    (rc = wtable_init(&g->nationality_t, nationality_w, N(nationality_w))) ||
	    (rc = wtable_init(&g->heritage_t, heritage_w, OR_COUNT)) ||
	    (rc = wtable_init(&g->problem_t, problem_w, APP_PROBLEM_COUNT)) ||
	    (rc = wtable_init(&g->napps_t, napps_w, N(napps_w))))
		return rc;
	for (unsigned i = 0; i < N(kind_defs); i++)
		w[i] = kind_defs[i].w;
	if ((rc = wtable_init(&g->kind_t, w, N(kind_defs))))
		return rc;
	for (int r = 0; r < R_COUNT; r++) {
		for (unsigned i = 0; i < region_places[r].n; i++)
			w[i] = region_places[r].v[i].weight;
		if ((rc = wtable_init(&g->place_t[r], w, region_places[r].n)))
			return rc;
	}
	for (int or = 0; or < OR_COUNT; or ++)
		for (int k = 0; k < 3; k++)
			if ((rc = wtable_init_zipf(&g->names_t[or][k], origins[or].n[k])))
				return rc;
	return RC_OK;
}

static void gen_free(struct gen *g)
{
	free(g->iso);
	free(g->insz_set);
	free(g->region_t.cum);
	free(g->nationality_t.cum);
	free(g->heritage_t.cum);
	free(g->kind_t.cum);
	free(g->problem_t.cum);
	free(g->napps_t.cum);
	for (int r = 0; r < R_COUNT; r++)
		free(g->place_t[r].cum);
	for (int or = 0; or < OR_COUNT; or ++)
		for (int k = 0; k < 3; k++)
			free(g->names_t[or][k].cum);
}

static const char *pick_name(struct gen *g, enum origin or, int which)
{
	return origins[or].v[which][wtable_pick(&g->names_t[or][which], &g->rng)];
}

/* --- centres and staff --- */

static enum rc gen_centres(struct gen *g, char **cause)
{
	enum rc rc;
	for (int i = 0; i < NCENTRES; i++) {
		struct centre *ce = &g->centres[i];
		memset(ce, 0, sizeof *ce);
		set_meta(g, &ce->meta, "", g->director);
		memcpy(ce->meta.centre_id, ce->meta.id, 37);
		snprintf(ce->code, sizeof ce->code, "%s", centre_defs[i].code);
		snprintf(ce->name, sizeof ce->name, "%s", centre_defs[i].name);
		snprintf(ce->language, sizeof ce->language, "%s", centre_defs[i].language);
		rc = db_centre_insert(g->c, ce, g->director, cause);
		if (rc)
			return rc;
		g->st.centres++;
		fp_add(g, ce->code);
	}
	return RC_OK;
}

static int login_taken(char (*logins)[64], int n, const char *login)
{
	for (int i = 0; i < n; i++)
		if (strcmp(logins[i], login) == 0)
			return 1;
	return 0;
}

static enum rc staff_insert(struct gen *g, struct staff *s, int centre, char **cause)
{
	enum rc rc;
	memcpy(s->meta.centre_id, g->centres[centre].meta.id, 37);
	rc = db_staff_insert(g->c, s, g->director, cause);
	if (rc)
		return rc;
	if ((s->role == ROLE_RECEPTION || s->role == ROLE_CLIENT_MANAGER ||
	     s->role == ROLE_DOSSIER_MANAGER) &&
	    g->ndesk[centre] < MAX_DESK)
		memcpy(g->desk[centre][g->ndesk[centre]++], s->meta.id, 37);
	g->st.staff++;
	fp_add(g, s->login);
	return RC_OK;
}

static enum rc gen_staff(struct gen *g, const char *os_login, char **cause)
{
	char logins[512][64];
	int nlogins = 0;
	struct staff s;
	enum rc rc;

	/* the fixed logins first (demo-director is updated_by of the others) */
	for (unsigned i = 0; i < N(fixed_logins); i++) {
		memset(&s, 0, sizeof s);
		set_meta(g, &s.meta, "", g->director);
		if (fixed_logins[i].role == ROLE_DIRECTOR)
			memcpy(s.meta.id, g->director, 37);
		snprintf(s.login, sizeof s.login, "%s", fixed_logins[i].login);
		snprintf(s.family_name, sizeof s.family_name, "Demo");
		snprintf(s.given_name, sizeof s.given_name, "%s", fixed_logins[i].given);
		s.role = fixed_logins[i].role;
		snprintf(s.discipline, sizeof s.discipline, "%s", fixed_logins[i].discipline);
		snprintf(s.languages, sizeof s.languages, "fr,nl,de");
		s.active = true;
		rc = staff_insert(g, &s, 0, cause);
		if (rc)
			return rc;
		snprintf(logins[nlogins++], 64, "%s", s.login);
	}
	if (os_login && *os_login && !login_taken(logins, nlogins, os_login)) {
		memset(&s, 0, sizeof s);
		set_meta(g, &s.meta, "", g->director);
		snprintf(s.login, sizeof s.login, "%s", os_login);
		snprintf(s.family_name, sizeof s.family_name, "Demo");
		snprintf(s.given_name, sizeof s.given_name, "%s", os_login);
		s.role = ROLE_RECEPTION;
		snprintf(s.languages, sizeof s.languages, "fr,nl,de");
		s.active = true;
		rc = staff_insert(g, &s, 0, cause);
		if (rc)
			return rc;
		snprintf(logins[nlogins++], 64, "%s", s.login);
	}

	/* the staff of the ten centres */
	for (unsigned r = 0; r < N(staff_defs); r++) {
		unsigned ev = 0;
		int ev_left = evaluator_defs[0].count;
		for (int j = 0; j < staff_defs[r].count; j++) {
			int centre = j % NCENTRES;
			const char *cl = centre_defs[centre].language;
			enum origin or = strcmp(cl, "nl") == 0 ? OR_NL : OR_FR;
			int female = rng_chance(&g->rng, 600);
			char base[24], fam[48], giv[48];

			if (centre == 0 && rng_chance(&g->rng, 400))
				or = OR_NL; /* Brussels: Dutch-speaking staff too */
			else if (centre == 6 && rng_chance(&g->rng, 150))
				or = OR_DE; /* Liège serves the German-speaking area */
			memset(&s, 0, sizeof s);
			set_meta(g, &s.meta, "", g->director);
			snprintf(s.family_name, sizeof s.family_name, "%s", pick_name(g, or, 0));
			snprintf(s.given_name, sizeof s.given_name, "%s",
			         pick_name(g, or, female ? 2 : 1));
			slug(s.given_name, giv, sizeof giv);
			slug(s.family_name, fam, sizeof fam);
			snprintf(base, sizeof base, "%.1s%.20s", giv, fam);
			snprintf(s.login, sizeof s.login, "%s", base);
			for (int k = 2; login_taken(logins, nlogins, s.login); k++)
				snprintf(s.login, sizeof s.login, "%s%d", base, k);
			if (nlogins < (int)N(logins))
				snprintf(logins[nlogins++], 64, "%s", s.login);
			s.role = staff_defs[r].role;
			if (s.role == ROLE_EVALUATOR) {
				while (ev_left == 0 && ev + 1 < N(evaluator_defs))
					ev_left = evaluator_defs[++ev].count;
				ev_left--;
				snprintf(s.discipline, sizeof s.discipline, "%s",
				         evaluator_defs[ev].discipline);
			} else if (s.role == ROLE_DOCTOR) {
				snprintf(s.discipline, sizeof s.discipline, "doctor");
			} else if (s.role == ROLE_SOCIAL_ASSISTANT) {
				snprintf(s.discipline, sizeof s.discipline, "social_assistant");
			}
			if (or == OR_DE)
				snprintf(s.languages, sizeof s.languages, "de,fr");
			else if (centre == 0 || rng_chance(&g->rng, 250))
				snprintf(s.languages, sizeof s.languages, "%s",
				         or == OR_NL ? "nl,fr" : "fr,nl");
			else
				snprintf(s.languages, sizeof s.languages, "%s", cl);
			s.active = !rng_chance(&g->rng, 15);
			rc = staff_insert(g, &s, centre, cause);
			if (rc)
				return rc;
		}
	}
	return RC_OK;
}

/* --- persons --- */

/* The ages (whole years at the reference date) and regions (bit mask) a
 * kind of application fits. */
static void kind_limits(enum app_kind k, int *min_age, int *max_age, unsigned *regions)
{
	unsigned all = (1u << R_COUNT) - 1;
	*min_age = 0;
	*max_age = 200;
	*regions = all;
	switch (k) {
	case APP_KIND_IVT_IT: /* from the month of the 17th birthday to 65 */
		*min_age = 18;
		*max_age = 66;
		break;
	case APP_KIND_CHILD_BENEFIT:
		*max_age = 20;
		break;
	case APP_KIND_THAB:
		*min_age = 65;
		*regions = 1u << R_WALLONIA | 1u << R_BRUSSELS;
		break;
	case APP_KIND_VSB:
		*regions = 1u << R_FLANDERS | 1u << R_BRUSSELS;
		break;
	case APP_KIND_IRISCARE:
		*min_age = 65;
		*regions = 1u << R_BRUSSELS;
		break;
	case APP_KIND_VAT:
		*min_age = 18;
		break;
	default:
		break;
	}
}

static int skew_old(struct rng *r, int n)
{
	uint32_t a = rng_below(r, (uint32_t)n), b = rng_below(r, (uint32_t)n);
	return (int)(a > b ? a : b);
}

static int skew_young(struct rng *r, int n)
{
	uint32_t a = rng_below(r, (uint32_t)n), b = rng_below(r, (uint32_t)n);
	return (int)(a < b ? a : b);
}

/* An age fitting the first application's kind. */
static int age_for(struct gen *g, enum app_kind k)
{
	struct rng *r = &g->rng;
	unsigned x = rng_below(r, 100);
	switch (k) {
	case APP_KIND_IVT_IT:
		return 18 + skew_old(r, 47);
	case APP_KIND_CHILD_BENEFIT:
		return (int)rng_below(r, 21);
	case APP_KIND_THAB:
	case APP_KIND_IRISCARE:
		return 65 + skew_young(r, 33);
	case APP_KIND_VSB:
		return x < 70 ? 65 + skew_young(r, 33) : 18 + (int)rng_below(r, 47);
	case APP_KIND_PARKING:
		return x < 8    ? 3 + (int)rng_below(r, 15)
		       : x < 50 ? 18 + skew_old(r, 47)
		                : 65 + skew_young(r, 33);
	case APP_KIND_VAT:
		return x < 60 ? 18 + skew_old(r, 47) : 65 + skew_young(r, 33);
	default:
		return x < 15   ? (int)rng_below(r, 18)
		       : x < 70 ? 18 + skew_old(r, 47)
		                : 65 + skew_young(r, 33);
	}
}

/* A region among the allowed ones (bit mask, not empty), by population. */
static int region_for(struct gen *g, unsigned allowed)
{
	for (;;) {
		int region = (int)wtable_pick(&g->region_t, &g->rng);
		if (allowed & 1u << region)
			return region;
	}
}

static int insz_insert(struct gen *g, uint64_t v)
{
	size_t i = (size_t)(v * 0x9e3779b97f4a7c15ULL >> 20) & g->insz_mask;
	while (g->insz_set[i]) {
		if (g->insz_set[i] == v)
			return 0;
		i = (i + 1) & g->insz_mask;
	}
	g->insz_set[i] = v;
	return 1;
}

/* A unique INSZ for a birth date (day in iso[]), sex and kind: bis = 0 for a
 * register number, 20 (sex unknown) or 40 (sex known) for a bis number;
 * unknown_day writes day 00.  The check digits follow the rule of the
 * century of birth. */
static void gen_insz(struct gen *g, const struct date *b, int female, int bis, int unknown_day,
                     char out[12])
{
	uint32_t serial = bis == 20 ? 1 + rng_below(&g->rng, 997)
	                  : female  ? 2 + 2 * rng_below(&g->rng, 498)
	                            : 1 + 2 * rng_below(&g->rng, 499);
	uint64_t ymd = (uint64_t)(b->year % 100) * 10000 + (uint64_t)(b->month + bis) * 100 +
	               (unknown_day ? 0 : (uint64_t)b->day);
	for (;;) {
		uint64_t first9 = ymd * 1000 + serial;
		uint64_t check = 97 - ((b->year >= 2000 ? 2000000000ULL : 0) + first9) % 97;
		uint64_t v = first9 * 100 + check;
		if (insz_insert(g, v)) {
			put_digits(out, (unsigned long)v, 11);
			out[11] = '\0';
			return;
		}
		/* taken: the next serial of the same sex */
		serial += bis == 20 ? 1 : 2;
		if (serial > 997)
			serial = bis == 20 || !female ? 1 : 2;
	}
}

/* The status of an application received `age` days ago. */
static enum app_status status_for(struct gen *g, long age)
{
	unsigned x = rng_below(&g->rng, 100);
	if (age < 30)
		return x < 40   ? APP_STATUS_RECEIVED
		       : x < 75 ? APP_STATUS_INCOMPLETE
		                : APP_STATUS_AWAITING_EVALUATION;
	if (age < 120)
		return x < 20   ? APP_STATUS_INCOMPLETE
		       : x < 55 ? APP_STATUS_AWAITING_EVALUATION
		       : x < 80 ? APP_STATUS_EVALUATION_PLANNED
		       : x < 90 ? APP_STATUS_EVALUATED
		                : APP_STATUS_DECIDED;
	if (age < 365)
		return x < 5    ? APP_STATUS_INCOMPLETE
		       : x < 15 ? APP_STATUS_AWAITING_EVALUATION
		       : x < 25 ? APP_STATUS_EVALUATION_PLANNED
		       : x < 40 ? APP_STATUS_EVALUATED
		       : x < 85 ? APP_STATUS_DECIDED
		                : APP_STATUS_CLOSED;
	return x < 2 ? APP_STATUS_INCOMPLETE : x < 55 ? APP_STATUS_DECIDED : APP_STATUS_CLOSED;
}

/* One application of the current person with its checklist. */
static enum rc gen_application(struct gen *g, unsigned kd, const char *by, char **cause)
{
	struct application *a = &g->a;
	struct app_document *d = &g->d;
	const char *const *list = application_checklist(kind_defs[kd].kind);
	long received = g->ref - (long)rng_below(&g->rng, APP_DAYS);
	int ndocs = 0, missing = -1;
	enum rc rc;

	set_meta(g, &a->meta, g->p.meta.centre_id, by);
	memcpy(a->person_id, g->p.meta.id, 37);
	a->kind = kind_defs[kd].kind;
	a->procedure = !kind_defs[kd].revision    ? APP_PROC_NEW
	               : rng_chance(&g->rng, 600) ? APP_PROC_REVISION_REQUEST
	                                          : APP_PROC_REVISION_EX_OFFICIO;
	memcpy(a->received_on, g->iso[received - g->day0], 11);
	a->problem = (enum app_problem)wtable_pick(&g->problem_t, &g->rng);
	a->status = status_for(g, g->ref - received);
	rc = db_application_insert(g->c, a, by, cause);
	if (rc)
		return rc;
	g->st.applications++;
	fp_add_int(g, a->kind * 100 + a->procedure * 10 + a->status);
	fp_add(g, a->received_on);

	/* Checklists of open applications only: that is what the front office
	 * chases (a decided application has nothing missing), and lines for all
	 * of them (4.1 million at 600,000 persons) would double the cache and
	 * the time to generate it. */
	if (!list || a->status >= APP_STATUS_DECIDED)
		return RC_OK;
	while (list[ndocs])
		ndocs++;
	if (a->status == APP_STATUS_INCOMPLETE && ndocs)
		missing = (int)rng_below(&g->rng, (uint32_t)ndocs);
	for (int i = 0; i < ndocs; i++) {
		unsigned p_received = a->status == APP_STATUS_RECEIVED     ? 450
		                      : a->status == APP_STATUS_INCOMPLETE ? 600
		                                                           : 1000;
		set_meta(g, &d->meta, g->p.meta.centre_id, by);
		memcpy(d->application_id, a->meta.id, 37);
		snprintf(d->code, sizeof d->code, "%s", list[i]);
		d->required = true;
		if (i != missing && rng_chance(&g->rng, p_received)) {
			/* half come with the application, the rest within 40 days */
			long on = received +
			          (rng_chance(&g->rng, 500) ? 0 : 1 + (long)rng_below(&g->rng, 40));
			if (on > g->ref)
				on = g->ref;
			memcpy(d->received_on, g->iso[on - g->day0], 11);
		} else {
			d->received_on[0] = '\0';
		}
		rc = db_document_insert(g->c, d, by, cause);
		if (rc)
			return rc;
		g->st.documents++;
		fp_add(g, d->received_on);
	}
	return RC_OK;
}

static enum rc gen_person(struct gen *g, char **cause)
{
	struct rng *r = &g->rng;
	struct person *p = &g->p;
	unsigned kd[8], regions;
	int napps, min_age, max_age, age, region, centre, female, lang, bis = 0;
	const struct place *pl;
	const struct nationality *nat = NULL;
	enum origin or ;
	long birth;
	struct date bd;
	const char *by;
	char giv[48], fam[48];
	enum rc rc;

	/* The person's applications first, each drawn from the national mix so
	 * that the mix holds over all applications; then an age and a region
	 * that fit them all (a set that fits nobody is drawn again). */
	napps = (int)wtable_pick(&g->napps_t, r);
	for (;;) {
		min_age = 0;
		max_age = 200;
		regions = (1u << R_COUNT) - 1;
		for (int i = 0; i < napps; i++) {
			int lo, hi;
			unsigned rg;
			kd[i] = wtable_pick(&g->kind_t, r);
			kind_limits(kind_defs[kd[i]].kind, &lo, &hi, &rg);
			min_age = lo > min_age ? lo : min_age;
			max_age = hi < max_age ? hi : max_age;
			regions &= rg;
		}
		if (min_age <= max_age && regions)
			break;
	}
	region = region_for(g, regions);
	pl = &region_places[region].v[wtable_pick(&g->place_t[region], r)];
	centre = centre_of(pl->code);
	female = (int)rng_below(r, 2);
	age = age_for(g, kind_defs[kd[0]].kind);
	for (int tries = 0; age < min_age || age > max_age; tries++)
		age = tries < 16
		          ? age_for(g, kind_defs[kd[0]].kind)
		          : min_age + (int)rng_below(r, (uint32_t)((max_age > 97 ? 97 : max_age) -
		                                                   min_age + 1));

	/* language from the region, with its minorities */
	switch (region) {
	case R_BRUSSELS:
		lang = rng_chance(r, 800) ? L_FR : L_NL;
		break;
	case R_FLANDERS:
		lang = rng_chance(r, 970) ? L_NL : L_FR;
		break;
	case R_WALLONIA:
		lang = rng_chance(r, 990) ? L_FR : L_NL;
		break;
	default:
		lang = rng_chance(r, 920) ? L_DE : L_FR;
		break;
	}

	/* nationality and where the names come from */
	if (rng_chance(r, region_foreign[region])) {
		nat = &nationalities[wtable_pick(&g->nationality_t, r)];
		if (region == R_GERMAN && rng_chance(r, 800))
			nat = &nationalities[9]; /* DE */
		or = nat->origin;
		if (or == OR_NL)
			lang = L_NL;
		else if (or == OR_FR)
			lang = L_FR;
		else if (or == OR_DE && region == R_GERMAN)
			lang = L_DE;
	} else {
		unsigned x = rng_below(r, 100);
		if (x < 8)
			or = (enum origin)wtable_pick(&g->heritage_t, r);
		else if (lang == L_NL)
			or = x < 95 ? OR_NL : OR_FR;
		else if (lang == L_FR)
			or = x < 88 ? OR_FR : OR_NL; /* Flemish names in Wallonia */
		else
			or = x < 85 ? OR_DE : x < 95 ? OR_FR : OR_NL;
	}

	memset(&p->meta, 0, sizeof p->meta);
	by = g->desk[centre][rng_below(r, (uint32_t)g->ndesk[centre])];
	set_meta(g, &p->meta, g->centres[centre].meta.id, by);
	snprintf(p->family_name, sizeof p->family_name, "%s", pick_name(g, or, 0));
	snprintf(p->given_name, sizeof p->given_name, "%s", pick_name(g, or, female ? 2 : 1));
	memcpy(p->sex, female ? "f" : "m", 2);
	memcpy(p->language, lang_code[lang], 3);

	/* birth date and INSZ */
	birth = g->ref - (long)age * 36525 / 100 - (long)rng_below(r, 365);
	bd = date_from_days(birth);
	if (nat && rng_chance(r, 40))
		bis = rng_chance(r, 800) ? 40 : 20;
	if (rng_chance(r, 30)) {
		p->insz[0] = '\0'; /* not known yet */
		memcpy(p->birth_date, g->iso[birth - g->day0], 11);
	} else if (bis && rng_chance(r, 100)) {
		gen_insz(g, &bd, female, bis, 1, p->insz);
		p->birth_date[0] = '\0'; /* day unknown */
	} else {
		gen_insz(g, &bd, female, bis, 0, p->insz);
		memcpy(p->birth_date, g->iso[birth - g->day0], 11);
	}

	/* nationality and residence */
	if (!nat) {
		memcpy(p->nationality, "BE", 3);
		p->residence = RESIDENCE_POPULATION;
	} else {
		unsigned x = rng_below(r, 100);
		memcpy(p->nationality, nat->code, 3);
		if (bis)
			p->residence = RESIDENCE_OTHER;
		else if (nat->eu)
			p->residence = x < 92   ? RESIDENCE_POPULATION
			               : x < 98 ? RESIDENCE_FOREIGNERS
			                        : RESIDENCE_OTHER;
		else if (nat->origin == OR_UA)
			p->residence = x < 20   ? RESIDENCE_POPULATION
			               : x < 80 ? RESIDENCE_FOREIGNERS
			                        : RESIDENCE_OTHER;
		else
			p->residence = x < 75   ? RESIDENCE_POPULATION
			               : x < 95 ? RESIDENCE_FOREIGNERS
			                        : RESIDENCE_OTHER;
	}

	/* address: streets named in the person's language (Brussels is bilingual) */
	{
		int sl = region == R_GERMAN     ? L_DE
		         : region == R_FLANDERS ? L_NL
		         : region == R_WALLONIA ? L_FR
		                                : lang;
		const char *street = streets[sl][rng_below(r, N(streets[0]))];
		unsigned nr = 1 + skew_young(r, 180);
		if (rng_chance(r, 120))
			snprintf(p->street, sizeof p->street, "%s %u %s %u", street, nr,
			         box_word[sl], 1 + rng_below(r, 12));
		else
			snprintf(p->street, sizeof p->street, "%s %u", street, nr);
		put_digits(p->postcode, (unsigned long)pl->code, 4);
		p->postcode[4] = '\0';
		snprintf(p->municipality, sizeof p->municipality, "%s",
		         pl->name_nl && lang == L_NL ? pl->name_nl : pl->name);
	}

	/* contact */
	{
		unsigned x = rng_below(r, 100);
		if (x < 70)
			gen_mobile(g, p->phone);
		else if (x < 88)
			gen_landline(
			    g,
			    pl->code >= 4700 && pl->code <= 4791 ? "87" : centre_defs[centre].area,
			    p->phone);
		else
			p->phone[0] = '\0';
	}
	if (rng_chance(r, age >= 75 ? 250 : 600)) {
		slug(p->given_name, giv, sizeof giv);
		slug(p->family_name, fam, sizeof fam);
		snprintf(p->email, sizeof p->email, "%s.%s%u@demo.invalid", giv, fam,
		         rng_below(r, 100));
	} else {
		p->email[0] = '\0';
	}
	p->contact_name[0] = p->contact_phone[0] = p->contact_relation[0] = '\0';
	if (age < 18 || (age >= 80 && rng_chance(r, 400)) || rng_chance(r, 60)) {
		int rel, cf = (int)rng_below(r, 2);
		const char *family = p->family_name;
		if (age < 18)
			rel = cf ? REL_PARENT_F : REL_PARENT_M;
		else if (age >= 80)
			rel = cf ? REL_CHILD_F : REL_CHILD_M;
		else
			rel = rng_chance(r, 600) ? REL_PARTNER : REL_GUARDIAN;
		if (rel == REL_GUARDIAN || (rel == REL_PARTNER && rng_chance(r, 500)) ||
		    (rel == REL_CHILD_F && rng_chance(r, 500)))
			family = pick_name(g, or, 0);
		snprintf(p->contact_name, sizeof p->contact_name, "%.60s %.60s",
		         pick_name(g, or, cf ? 2 : 1), family);
		gen_mobile(g, p->contact_phone);
		snprintf(p->contact_relation, sizeof p->contact_relation, "%s",
		         relations[lang][rel]);
	}

	rc = db_person_insert(g->c, p, by, cause);
	if (rc)
		return rc;
	g->st.persons++;
	fp_add(g, p->insz);
	fp_add(g, p->family_name);
	fp_add(g, p->given_name);
	fp_add(g, p->birth_date);
	fp_add(g, p->postcode);

	for (int i = 0; i < napps; i++) {
		rc = gen_application(g, kd[i], by, cause);
		if (rc)
			return rc;
	}
	return RC_OK;
}

enum rc demo_generate(struct cache *c, const struct demo_options *o, char **cause)
{
	struct gen *g = calloc(1, sizeof *g);
	int bulk = 0;
	enum rc rc;

	if (!g)
		return RC_NOMEM;
	if (o->persons < 0) {
		rc = RC_INVALID;
		if (asprintf(cause, _("the number of persons must not be negative")) < 0)
			*cause = NULL;
		goto out;
	}
	rc = gen_init(g, c, o, cause);
	if (rc)
		goto out;
	g->p.notes[0] = '\0';
	snprintf(g->p.notes, sizeof g->p.notes, "%s", demo_notes);
	/* the demo director's id comes first: it signs the centres and staff */
	gen_uuid(g, g->director);

	rc = db_cache_bulk_begin(c, cause);
	if (rc)
		goto out;
	bulk = 1;
	rc = db_cache_begin(c, cause);
	if (rc)
		goto out;
	rc = gen_centres(g, cause);
	if (rc)
		goto out;
	rc = gen_staff(g, o->login, cause);
	if (rc)
		goto out;
	for (long i = 0; i < o->persons; i++) {
		rc = gen_person(g, cause);
		if (rc)
			goto out;
		if ((i + 1) % CHUNK == 0) {
			rc = db_cache_commit(c, cause);
			if (rc)
				goto out;
			rc = db_cache_begin(c, cause);
			if (rc)
				goto out;
		}
		if (o->progress && (i + 1) % PROGRESS_STEP == 0)
			o->progress(i + 1, o->persons, o->progress_arg);
	}
	rc = db_cache_commit(c, cause);
	if (rc)
		goto out;
	bulk = 0;
	rc = db_cache_bulk_end(c, cause);
	if (rc)
		goto out;
	if (o->progress)
		o->progress(o->persons, o->persons, o->progress_arg);
	g->st.fingerprint = g->fp;
	if (o->stats)
		*o->stats = g->st;
out:
	/* A failure undoes the whole load: committing what was made so far
	 * would leave a cache that looks finished but is not. */
	if (bulk)
		db_cache_bulk_abort(c);
	gen_free(g);
	free(g);
	return rc;
}
