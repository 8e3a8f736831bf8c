"""The phrase bank of the demo survey's free-text answers.

Each planted theme has sentences that say the same kind of thing in different words; slots in
braces are filled at random: ``{man}``, ``{when}``, ``{feel}`` with everyday variants, and
``{park}``, ``{station}``, ``{centre}``, ``{street}`` with named places (recorded as planted
places). Some place names are in the analysis's shipped gazetteer and some are deliberately
not, so that finding place-like phrases ("… Park", "… station") is exercised too. Neutral
sentences carry no theme. Personal-data sentences plant a name, phone number, email,
postcode or street address, recorded as planted personal data.
"""

from __future__ import annotations

THEMES: dict[str, tuple[str, ...]] = {
    "street_harassment": (
        "I have been catcalled and whistled at walking down the street since I was about 13.",
        "{man} shouted sexual comments at me from a car while I walked to work.",
        "I was followed home by {man} {when} and had to run the last bit.",
        "Men beep their horns and shout out of van windows at me almost every week.",
        "Walking along {street} I get wolf whistles and comments about my body.",
        "{man} grabbed my waist in the street and laughed when I told him to stop.",
        "Being stared at, followed and shouted at in the street is just normal for us.",
        "I was harassed by {man} on {street} {when} and nobody stepped in.",
        "The constant street harassment makes me change the way I walk home.",
        "I cross the road whenever a group of men is standing on the pavement.",
        "{man} kept following me and asking for my number even after I said no.",
        "I was flashed at by {man} while walking the dog near {park}.",
        "Catcalling and lewd comments on the street happen to every girl I know.",
        "Strangers make remarks about what I am wearing when I walk down the street.",
    ),
    "not_believed": (
        "I did not think I would be believed.",
        "Nobody would have taken it seriously so there was no point reporting it.",
        "It would have been my word against his.",
        "I felt it would be too hard to prove and nothing would be done.",
        "When I tried to report it the police said there was nothing they could do.",
        "I reported it before and was not believed, so why would I bother again.",
        "The officer made me feel like I was wasting police time.",
        "I was told it was not serious enough to report.",
        "Nothing ever happens when you report, they just take a crime number.",
        "I was worried I would not be believed because I had been drinking.",
        "It felt pointless because there was no evidence and no witnesses.",
        "Reporting it would only make things worse and nothing would be done.",
        "The police never called me back and I felt completely dismissed.",
        "Women are not believed unless there is proof, so I kept quiet.",
    ),
    "lighting_cctv": (
        "{park} needs better lighting, it is pitch dark after four in winter.",
        "More street lights and working CCTV on {street} would make a big difference.",
        "The alleyways and cut throughs are dark and there are no cameras.",
        "Please fix the broken street lamps near {park}.",
        "Better lighting in car parks and underpasses so you can see who is there.",
        "CCTV that is actually monitored, not just cameras that do not work.",
        "The footpath by {park} is unlit and overgrown, I avoid it completely.",
        "Brighter lighting around {centre} once the shops shut.",
        "There are whole stretches of {street} with no lighting at all.",
        "Install more cameras and lights in parks and along the river path.",
        "Dark areas with poor lighting are where I feel most unsafe.",
        "Turning the street lights off at midnight to save money makes women less safe.",
    ),
    "police_presence": (
        "More visible police patrols in {centre} at weekends.",
        "I never see police officers on foot any more, we need a proper police presence.",
        "PCSOs walking around {park} in the evenings would help.",
        "Bring back police bobbies on the beat so people feel someone is watching.",
        "A police presence at {station} late at night would reassure people.",
        "Officers patrolling {street} on Friday and Saturday nights.",
        "We need more police on the streets rather than in cars.",
        "Visible patrols in the town centre when the pubs empty out.",
        "Police should be seen around {centre}, not just when something has happened.",
        "More neighbourhood police officers who know the area and are visible.",
        "Regular foot patrols would put off the men who hang around.",
    ),
    "public_transport": (
        "{station} is horrible at night, the platforms are empty and there are no staff.",
        "{man} sat next to me on the train and would not stop touching my leg.",
        "Waiting for the last bus at {station} is the scariest part of my week.",
        "More staff at railway stations with open waiting rooms.",
        "I was groped on a crowded bus and the driver did nothing.",
        "The walk from {station} to the car park is really frightening after dark.",
        "Trains should have staff in every carriage late at night.",
        "Bus stops are isolated and the buses are so infrequent you wait alone for ages.",
        "{man} followed me off the train at {station} and onto the platform.",
        "I avoid public transport after 8pm because of how men behave on it.",
        "Help points at stations that actually work and someone answers.",
        "Taxi ranks and bus stations need marshals at night.",
    ),
    "nte_spiking": (
        "My drink was spiked in a club in {centre} and I lost hours of the night.",
        "I was touched inappropriately in a club and the bouncers told me to take it as a "
        "compliment.",
        "Door staff and bar staff need training to spot spiking and help women.",
        "A friend was spiked by injection on a night out and nobody took it seriously.",
        "I cover my drink with my hand all night because of spiking.",
        "Men grope you on the dance floor in pubs and clubs and think it is fine.",
        "Ask Angela should be in every bar and club and actually work on a night out.",
        "On nights out in {centre} men will not take no for an answer.",
        "Free drink covers and testing kits in every bar and nightclub.",
        "Licensed venues should lose their licence if they ignore spiking.",
        "Getting home after a night out is the worst part, the taxi queues are chaos.",
        "Clubs need safe spaces and welfare staff for women who feel unwell.",
    ),
    "online_abuse": (
        "I get unsolicited explicit pictures on social media almost every week.",
        "My ex shared intimate images of me online without my consent.",
        "Men send abusive messages on Instagram when you block them.",
        "I was sent nudes on Snapchat by someone I did not know when I was 14.",
        "Online abuse is relentless and the platforms do nothing when you report accounts.",
        "Someone set up a fake account using my photos to harass me.",
        "Trolling and threats of rape in comments whenever a woman speaks up online.",
        "Girls are pressured online to send pictures and then they are shared around.",
        "I had to come off social media because of the messages.",
        "Cyberflashing and abusive messages on my phone happen all the time.",
        "Being online has made stalking and harassment so much easier.",
    ),
    "courts_cps": (
        "The CPS did not take my case to court because of a lack of evidence.",
        "Sentences for sexual offences are far too lenient.",
        "The court case took over two years and the trial kept being adjourned.",
        "The CPS need to be tougher and charge more rape cases.",
        "The justice system is not set up for victims, it retraumatises you.",
        "He got a suspended sentence from the court and was back in my area a week later.",
        "Magistrates should use restraining orders and actually enforce them.",
        "The courts have not done enough and the offender keeps not turning up.",
        "Victims need support through the court process and should not face the defendant.",
        "Hardly any rape cases end in a conviction so why would anyone go through a trial.",
        "Judges and juries need to understand coercive control and trauma.",
    ),
    "education_schools": (
        "Education in schools is key, boys need to be taught respect from a young age.",
        "Teach consent and healthy relationships in primary school, not just secondary.",
        "Role play in PSHE lessons at school to teach boys to treat girls as equals.",
        "Schools should tackle misogyny and sexist jokes instead of saying boys will be boys.",
        "Parents and teachers need to challenge toxic masculinity early, at home and at school.",
        "Police and charities should give talks in schools about what happens when you report.",
        "School lessons on what abuse looks like so children recognise it at home.",
        "Children should be taught at school how porn shapes attitudes to women.",
        "Make respect and consent part of the school curriculum from the start.",
        "Teachers need training to deal with sexual harassment between pupils at school.",
        "Education at home and in school about equality between boys and girls.",
    ),
}

#: Sentences with no theme, mixed into some answers as real answers mix them in.
NEUTRAL: tuple[str, ...] = (
    "Thank you for asking.",
    "I hope this survey makes a difference.",
    "I think this is really important.",
    "I have lived here for most of my life.",
    "Not sure what else to say.",
    "This has been going on for years.",
    "I worry about my daughters.",
    "It is not good enough.",
    "Something needs to change.",
    "I speak for a lot of my friends here.",
)

MEN: tuple[str, ...] = (
    "a man",
    "a group of men",
    "some lads",
    "a stranger",
    "an older man",
    "two men",
    "a man in a van",
    "a gang of boys",
)

WHEN: tuple[str, ...] = (
    "one evening",
    "late at night",
    "in broad daylight",
    "after work",
    "on my way home from school",
    "last winter",
)

#: Named places by kind. ``gazetteer`` names are in the analysis's shipped place list;
#: ``unlisted`` ones are not and must be found as place-like phrases.
PLACES: dict[str, dict[str, tuple[str, ...]]] = {
    "park": {
        "gazetteer": (
            "Mote Park",
            "Whatman Park",
            "Brenchley Gardens",
            "Dane John Gardens",
            "Pencester Gardens",
            "Dartford Heath",
            "Radnor Park",
        ),
        "unlisted": ("Hazelbank Park", "Orchard Gardens", "Fairmeadow Park"),
    },
    "station": {
        "gazetteer": (
            "Maidstone East station",
            "Chatham station",
            "Ashford International station",
            "Canterbury West station",
            "Gravesend station",
        ),
        "unlisted": ("Sittingbourne station", "Snodland station", "Strood station"),
    },
    "centre": {
        "gazetteer": (
            "Ashford Town Centre",
            "Jubilee Square",
            "Cliftonville",
            "Westgate Towers",
            "Maidstone town centre",
        ),
        "unlisted": ("Market Square", "Fountain Square"),
    },
    "street": {
        "gazetteer": ("Chatham High Street", "Week Street", "Sandgate Road"),
        "unlisted": ("Gravesend High Street", "Margate High Street"),
    },
}

#: The district each unlisted place lies in (the shipped gazetteer gives the listed ones').
UNLISTED_DISTRICTS: dict[str, str] = {
    "Hazelbank Park": "Tunbridge Wells",
    "Orchard Gardens": "Sevenoaks",
    "Fairmeadow Park": "Swale",
    "Sittingbourne station": "Swale",
    "Snodland station": "Tonbridge and Malling",
    "Strood station": "Medway",
    "Market Square": "Dover",
    "Fountain Square": "Tunbridge Wells",
    "Gravesend High Street": "Gravesham",
    "Margate High Street": "Thanet",
}

# Names for planted personal data: everyday British names, written by the demo, not taken
# from the analysis's own name lists.
PLANTED_FIRST_NAMES: tuple[str, ...] = (
    "Daniel",
    "Gemma",
    "Craig",
    "Leanne",
    "Darren",
    "Kirsty",
    "Wayne",
    "Stacey",
    "Jason",
    "Nicola",
    "Lee",
    "Hayley",
)
PLANTED_SURNAMES: tuple[str, ...] = (
    "Hughes",
    "Patel",
    "Wright",
    "Okafor",
    "Turner",
    "Khan",
    "Fletcher",
    "Barker",
    "Nowak",
    "Gallagher",
)
STREET_WORDS: tuple[str, ...] = ("Orchard", "Station", "Church", "Mill", "Beech", "Victoria")
STREET_KINDS: tuple[str, ...] = ("Road", "Close", "Avenue", "Lane", "Drive", "Street")
POSTCODE_OUTWARDS: tuple[str, ...] = ("ME14", "ME7", "CT1", "CT9", "TN23", "TN1", "DA11", "CT20")
EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "mail.example.org", "example.co.uk")

#: Personal-data sentences: ``{value}`` is the planted datum, of the kind named by the key.
PERSONAL: dict[str, tuple[str, ...]] = {
    "name": (
        "My ex {value} still turns up outside my house.",
        "A man called {value} kept messaging me after I blocked him.",
        "My name is {value} and I am happy to be contacted.",
        "My neighbour {value} has been shouting abuse at me for months.",
        "{value} from my old school was the one who shared the pictures.",
    ),
    "phone": (
        "You can ring me on {value} if you want to know more.",
        "Please call {value}, I would like to talk to someone.",
    ),
    "email": (
        "Contact me at {value} if you need more details.",
        "My email is {value}.",
    ),
    "postcode": (
        "It happened near my home in {value}.",
        "I live in {value} and it is getting worse.",
    ),
    "address": (
        "He waits outside {value} most evenings.",
        "I live at {value} and the street is dark at night.",
    ),
}

#: Everyday variants: each word here is swapped for one of its variants about a third of the
#: time, so that answers of one theme share words without repeating whole sentences.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "street": ("road", "pavement"),
    "men": ("lads", "guys", "blokes"),
    "man": ("guy", "bloke", "lad"),
    "police": ("the police", "officers", "Kent Police"),
    "followed": ("chased", "stalked"),
    "shouted": ("yelled", "screamed"),
    "comments": ("remarks", "abuse"),
    "report": ("reporting", "tell anyone"),
    "believed": ("listened to", "taken seriously"),
    "nothing": ("nothing at all", "absolutely nothing"),
    "lighting": ("lights", "street lighting"),
    "dark": ("badly lit", "pitch black", "gloomy"),
    "cameras": ("CCTV", "camera coverage"),
    "patrols": ("foot patrols", "police patrols", "officers walking"),
    "visible": ("more visible", "seen"),
    "train": ("bus", "tram"),
    "staff": ("workers", "guards", "security"),
    "club": ("nightclub", "bar", "pub"),
    "drink": ("drinks", "glass"),
    "messages": ("DMs", "texts"),
    "online": ("on social media", "on the internet"),
    "pictures": ("photos", "images"),
    "court": ("the courts", "the judge"),
    "sentences": ("punishments", "sentencing"),
    "schools": ("primary schools", "secondary schools", "colleges"),
    "taught": ("educated", "shown"),
    "respect": ("respect for women", "equality"),
    "boys": ("young men", "lads", "teenage boys"),
}
