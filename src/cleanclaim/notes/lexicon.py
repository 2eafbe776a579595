"""Word patterns the documentation elements are found with (compiled once).

Language, not code tables: body regions, laterality, activities of daily function,
pain scales, minutes, frequency/duration, referral and relaxation wording. The
technique -> CPT table is data: notes/data/techniques.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

I = re.IGNORECASE


def words(pattern: str, flags: int = I) -> re.Pattern:
    """``pattern`` bounded by non-word characters on both sides."""
    return re.compile(r"(?<![\w/])(?:" + pattern + r")(?![\w])", flags)


# ---------------------------------------------------------------- body regions

REGIONS: dict[str, str] = {
    "full body": r"full[- ]body|whole[- ]body|entire body",
    "lumbar": r"lumbar(?: spine| paraspinals?| region| area)?|low(?:er)?[- ]back|lumbosacral|lbp|l-spine|"
              r"(?-i:L/S|LS spine)|"
              r"(?-i:L[1-5](?:\s*-\s*(?:L?[1-5]|S1))?)|multifidus",
    "thoracolumbar": r"thoracolumbar(?: junction| spine| region| paraspinals?)?|tl junction|"
                     r"(?-i:T1[12]\s*[-\u2013]\s*L[1-3])",
    "cervicothoracic": r"cervicothoracic(?: junction| spine| region)?|ct junction",
    "thoracic": r"thoracic(?: spine| paraspinals?| region)?|mid[- ]?back|upper back|t-spine|(?-i:T/S)|"
                r"(?-i:T(?:1[0-2]|[1-9])(?:\s*-\s*T?(?:1[0-2]|[1-9]))?)|ribs?|rib cage|costal|"
                r"between the shoulder blades",
    "cervical": r"cervical(?: spine| paraspinals?| region)?|neck|c-spine|(?-i:C/S)|suboccipitals?|"
                r"(?-i:C[1-7](?:\s*-\s*C?[1-7]|\s*-\s*T1)?)|scalenes?|sternocleidomastoid|scm",
    "shoulder": r"shoulders?|rotator cuff|deltoids?|glenohumeral|supraspinatus|infraspinatus|"
                r"subscapularis|teres(?: minor| major)?",
    "trapezius": r"(?:upper |middle |lower )?trap(?:ezius|s)|(?-i:UT|UFT)",
    "scapular": r"scapula[er]?|periscapular|rhomboids?|levator(?: scapulae?)?|scapular stabili[sz]ers",
    "paraspinals": r"paraspinals?|paras|erector spinae|latissimus(?: dorsi)?|lats",
    "quadratus lumborum": r"quadratus lumborum|ql",
    "gluteal": r"glut(?:eal|eus|es?)(?: med(?:ius)?| max(?:imus)?| min(?:imus)?)?|buttocks?|coccyx|tailbone",
    "piriformis": r"piriformis",
    "sacroiliac": r"sacroiliac(?: joints?)?|si joints?|sij|sacrum|sacral",
    "hip": r"hips?|hip flexors?|iliopsoas|psoas|tfl|groin",
    "pelvis": r"pelvi[cs](?: girdle)?|pubic symphysis|symphysis(?: pubis)?|pubic bone",
    "thigh": r"thighs?|hamstrings?|quadriceps|quads?|adductors?|it band|itb|iliotibial band",
    "knee": r"knees?|patell\w*|tibiofemoral|patellofemoral",
    "calf": r"calf|calves|gastrocnemius|gastroc|soleus|achilles(?: tendon)?",
    "leg": r"legs?|lower extremit(?:y|ies)|lower limbs?|shins?|(?-i:B?LEs?|LLE|RLE)",
    "ankle": r"ankles?|talocrural|subtalar",
    "foot": r"foot|feet|plantar fascia|plantar surface|arch(?:es)? of (?:the )?feet|(?:plantar )?heels?|"
            r"calcane(?:us|al)|forefoot|midfoot|hindfoot|toes?|metatarsals?|mtps?|great toe|hallux",
    "arm": r"arms?|upper extremit(?:y|ies)|upper limbs?|biceps|triceps|(?-i:B?UEs?|LUE|RUE)",
    "forearm": r"forearms?",
    "elbow": r"elbows?|(?:lateral |medial )?epicondyles?|wrist extensors?|forearm extensors?",
    "wrist": r"wrists?",
    "hand": r"hands?|fingers?|thumbs?|palms?|thenar(?: eminence)?|hypothenar|knuckles?|mcps?|pips?",
    "chest": r"chest|pectorals?|pectoralis(?: major| minor)?|pec (?:major|minor)|pecs",
    "abdomen": r"abdomen|abdominal(?: wall)?",
    "jaw": r"jaw|tmj|masseters?|temporomandibular(?: joint)?",
    "head": r"head|scalp|occiput|temples|face",
    "back": r"(?<!come )(?<!came )(?<!comes )(?<!go )(?<!went )back(?!\s+(?:to|in|on|at|from|into|home|up)\b)",
}
LATERALITY_BEFORE = r"(?:(?P<lat>left|right|bilateral|bilat\.?|both|bil\.?|b/l|lt\.?|rt\.?|(?-i:L|R|B))\s+)?"
LATERALITY_AFTER = (r"(?:\s*(?:,\s*)?(?P<lat2>bilaterally|bilateral|\((?:L|R|B|left|right|bilat|b/l)\)|"
                    r"on the (?:left|right)|(?-i:L\s*>\s*R|R\s*>\s*L)))?")
REGION = re.compile(
    r"(?<![\w])" + LATERALITY_BEFORE + r"(?P<region>"
    + "|".join(f"(?P<r{i}>{p})" for i, p in enumerate(REGIONS.values())) + r")(?![\w])" + LATERALITY_AFTER,
    I,
)
REGION_NAMES = list(REGIONS)


def normalise_laterality(text: str | None) -> str | None:
    if not text:
        return None
    t = text.strip("() .").lower()
    if t in ("left", "l", "lt"):
        return "left"
    if t in ("right", "r", "rt", "on the right"):
        return "right"
    if t == "on the left":
        return "left"
    if t.startswith(("bilat", "both", "bil", "b/l", "b")) or ">" in t:
        return "bilateral"
    return None


# ---------------------------------------------------------------- pain

PAIN_WORD = re.compile(r"(?<![\w])(?:pain(?:ful)?|lbp|cervicalgia|dorsalgia|lumbago|headaches?|aches?|aching|discomfort|sore(?:ness)?|tender(?:ness)?|nprs|nrs|vas|"
                  r"sciatica|cramp(?:s|ing)?|hurts?|burning|throbbing)(?![\w])", I)
NPRS = re.compile(
    r"(?<![\d/.])(?:\[[ \t]*)?(?P<value>\d{1,2}(?:\.\d)?)(?:\s*(?:-|to)\s*(?P<high>\d{1,2}(?:\.\d)?))?"
    r"(?:[ \t]*\])?\s*(?:/|out of|of)\s*10(?!\d|\.\d)"
    r"|(?:nprs|nrs|numeric(?: pain)? rating(?: scale)?|pain scale|pain level|pain rating|pain intensity)\s*"
    r"(?:\((?:0\s*[-\u2013]\s*10|0 to 10|nprs|nrs)\)\s*)?(?:score\s*)?(?:(?:current(?:ly)?|now|today|at rest)\s*)?"
    r"(?:of|:|=|at|is|was)?\s*(?P<value2>\d{1,2}(?:\.\d)?)(?![\d/])"
    r"|(?:rates?|rated|rating)\s+(?:[\w'-]+\s+){0,5}?(?:at|as)\s+(?:a\s+)?(?P<value3>\d{1,2})(?![\d/])"
    # "pain rated 6", "pain in the right hip is a 6 today", "pain intensity: 5"
    r"|(?<![\w])(?:pain|ache|aching|discomfort)\s+(?:[A-Za-z'-]+\s+){0,4}?(?:rated|rating|is|at|of|score|level|"
    r"intensity)\s*(?:[:=]\s*)?(?:an?\s+)?(?P<value4>\d{1,2}(?:\.\d)?)"
    r"(?=\s*(?:$|[.,;:)(\u2013\u2014]|-\s*(?!\d)|today|now|currently|at (?:rest|best|worst|night)|with|on|in|when|"
    r"during|while|by|after|before|worst|best|average|and|but|nprs|nrs))",
    I,
)
VAS = re.compile(
    r"vas\s*(?:score\s*)?(?:of|:|=)?\s*(?P<cm>\d{1,2}(?:\.\d)?)\s*cm\b"
    r"|vas\s*(?:score\s*)?(?:of|:|=)?\s*(?P<mm>\d{1,3})\s*(?:mm|/\s*100)?(?![\d/.])"
    r"|(?P<mm2>\d{1,3})\s*(?:mm|/\s*100)\s*(?:on\s+(?:the\s+)?)?(?:vas|visual analog(?:ue)? scale)",
    I,
)

# ---------------------------------------------------------------- function

ACTIVITY = (
    r"stand(?:ing)?|sit(?:ting)?|walk(?:ing|s)?|ambulat\w*|climb(?:ing)?|stairs?|steps|lift(?:ing)?|"
    r"carry(?:ing)?|wear(?:ing)?|bend(?:ing)?|stoop\w*|sleep(?:ing)?|nights?|nightly|dress(?:ing)?|(?:put|putting) on \w+|"
    r"driv(?:e|ing)|reach(?:ing)?|overhead|work(?:ing)?|shift|job|household|chores|housework|"
    r"cook(?:ing)?|clean(?:ing)?|laundry|vacuum\w*|care for|caring for|turn(?:ing)?|rotat(?:e|ing)|"
    r"roll(?:ing)?(?: over)?|transfers?|transferring|squat(?:ting)?|kneel(?:ing)?|get(?:ting)? (?:up|out|in|into|off)|"
    r"ris(?:e|ing)|exercis(?:e|ing)|run(?:ning)?|typ(?:e|ing)|hold(?:ing)?|shower(?:ing)?|bath(?:e|ing)|"
    r"groom\w*|shop(?:ping)?|grocer\w*|push(?:ing)?|pull(?:ing)?|look(?:ing)? (?:up|down|over)|"
    r"computer|desk|commut\w*|sit-to-stand|adls?|activities of daily living|pick(?:ing)? up|"
    r"toddler|child(?:ren)?|baby|breastfeed\w*|nurs(?:e|ing)|gait"
)
LIMITER = (
    r"unable to|not able to|no longer able to|is unable|cannot|can ?not|can't|could not|couldn't|inability to|"
    r"difficulty(?: with)?|difficult to|trouble(?: with)?|limited(?: to| in| with| by)?|limits?|limiting|"
    r"restricted|restriction (?:in|with|of)|struggles?(?: to| with)?|requires? (?:assistance|help|assist)|"
    r"needs? (?:assistance|help|assist)|(?:only )?tolerates? (?:only|less than|up to|no more than|<)|intolerance|wakes?(?: up)?|waking|awakens?|"
    r"interrupts?|interrupted|disturbs?|disturbed|disrupt(?:s|ed)?|impaired|painful to|hurts to|only able to|"
    r"(?:can|could|is able to|able to) only|only (?:able to|manages?|managing)|"
    r"(?:gets?|getting|has to get|wakes?|waking) up\s+\d+\s*(?:x|times)|"
    r"(?:needs?|requires?) (?:to use |to hold )?(?:a |the )?(?:rail|railing|handrail|cane|walker|"
    r"crutch(?:es)?|assistive device)|"
    r"max(?:imum)? of|dependent|stops?|has to stop|must stop|avoids?|unable|modified|decreased ability to"
)
FUNCTION = re.compile(
    r"(?<![\w])(?:" + LIMITER + r")\W+(?:[\w'/-]+\W+){0,5}?(?:" + ACTIVITY + r")(?![\w])"
    r"|(?<![\w])(?:" + ACTIVITY + r")\s+(?:[\w'/-]+\s+){0,2}?(?:tolerance|is limited|limited|is difficult|"
    r"difficult|impaired|restricted|intolerance|disrupted|disturbed|interrupted|impossible|"
    r"requires? (?:assistance|help)|with (?:difficulty|assistance))(?![\w])"
    # "sitting > 20 min increases pain": an activity's limit by what it provokes
    r"|(?<![\w])(?:" + ACTIVITY + r")\s+(?:[\w'/-]+\s+){0,2}?(?:>|>=|more than|over|longer than|beyond|past|for)\s*~?\d+"
    r"\s*(?:-\s*\d+\s*)?(?:min(?:ute)?s?|hours?|hrs?|blocks?|miles?|flights?|steps|ft|feet|lbs?|pounds?|kg)\s+"
    r"(?:\w+\s+)?(?:increases|increased|aggravates|aggravated|provokes|provoked|brings on|causes|worsens|"
    r"reproduces|exacerbates|triggers)(?![\w])"
    r"|(?<![\w])(?:oswestry|odi|ndi|neck disability index|lefs|psfs|quick ?dash|dash|roland[- ]morris|"
    r"pgq|pelvic girdle questionnaire|fotos)(?: score| disability index)?\s*(?:of|:|=|is|was)?\s*\d",
    I,
)

# Any activity verb after a limiter ("cannot jog", "unable to garden", "difficulty
# kneading dough"): the limiter names what the patient cannot do; words that are not
# activities of the patient ("unable to assess", "cannot recall") are left out.
NOT_ACTIVITY = (r"assess|asses|test|measure|obtain|palpate|complete (?:the )?(?:test|testing|exam|assessment)|"
                r"recall|remember|tell|say|state|specify|describe|rate|quantify|attend|afford|schedule|"
                r"reach (?:the )?(?:office|clinic)|make it|come|be|get (?:an? )?(?:appointment|referral|order)|"
                r"find|identify|confirm|determine|locate|reproduce|provoke|elicit|perform (?:the )?test")
LIMIT_QUANTITY = (r"(?:more than|longer than|over|beyond|past|>|>=|for more than|for over|for longer than|"
                  r"without (?:stopping|rest(?:ing)?|a break|pain)|greater than)\s*~?\s*\d+(?:\.\d+)?\s*"
                  r"(?:-\s*\d+\s*)?(?:min(?:ute)?s?|hours?|hrs?|h\b|blocks?|miles?|mi\b|km|kilomet(?:er|re)s?|"
                  r"flights?|steps|stairs|lbs?|pounds?|kg|kilos?|feet|ft|yards?|meters?|metres?|m\b|laps?|reps?)")
FUNCTION_GENERIC = re.compile(
    r"(?<![\w])(?:unable to|not able to|no longer able to|cannot|can ?not|can't|could not|couldn't|"
    r"inability to|hurts to|painful to|only able to|(?:can|could) only|difficult to|struggles to|has to stop)\s+"
    r"(?:\w+ly\s+)?(?!(?:" + NOT_ACTIVITY + r")\b)(?P<verb>[a-z]{2,}(?:[- ](?:up|down|out|over|on|off|in))?)(?![\w])"
    r"|(?<![\w])(?:difficulty|trouble|problems?) (?:with )?(?!(?:" + NOT_ACTIVITY + r")\b)[a-z]{3,}ing(?![\w])"
    r"(?:\s+\w+){0,3}?\s*(?:" + LIMIT_QUANTITY + r")?"
    # "pain with walking": pain named by the activity it limits ("pain radiating", "pain improving" are not)
    r"|(?<![\w])pain (?:with|w/|when|on|during|while|after) (?:" + ACTIVITY + r")(?![\w])"
    r"(?:\s+\w+){0,3}?\s*(?:" + LIMIT_QUANTITY + r")?"
    r"|(?<![\w])[a-z]{3,}(?:ing|s)?\s+(?:tolerance|is limited to|limited to|max(?:imum)? of)\s*(?:of\s*)?~?\d",
    I,
)

# ---------------------------------------------------------------- minutes, plan, progress

MINUTES = re.compile(r"(?<![\d.:/])(?:\[[ \t]*)?(?P<n>\d{1,3})(?:[ \t]*\])?\s*(?:-\s*)?(?:minutes?|mins?|min\.?)(?![\w])", I)
# "TherEx 15'", "Manual x 13'": the prime is a minutes mark in therapy shorthand (also feet,
# so it counts only next to a code or service, or as a total; see notes/minutes.py)
MINUTES_PRIME = re.compile(r"(?<![\d.:/'\u2019\u2032\w])(?P<n>\d{1,3})[ \t]?['\u2019\u2032](?![\w'\u2019\u2032\"])", I)
# "Total timed minutes: 38", "Treatment time - 45": the figure after a minutes label
MINUTES_LABEL = re.compile(r"(?<![\w])(?:(?:minutes?|mins?|min\.?|time)\s*(?:[:=]|-|\u2013)|"
                           r"(?:minutes|mins)\s+(?:were|totall?ed|came to))\s*(?P<n>\d{1,3})"
                           r"(?![\d:]|\.\d|\s*(?:/|%|am\b|pm\b|[ap]\.m|sec|s\b|x\b|hours?|hrs?))", I)
CLOCK_RANGE = re.compile(r"\b(?:[01]?\d|2[0-3]):[0-5]\d\s*(?:[ap]\.?m\.?)?\s*(?:-|–|to)\s*(?:[01]?\d|2[0-3]):[0-5]\d", I)
TOTAL = words(r"total(?: timed)?(?: treatment| tx| session| therapy| service)?(?: time| minutes| mins?)?|"
              r"timed (?:code )?(?:minutes|total)|total time")
TIMED_TOTAL = words(r"total timed|timed (?:code )?(?:minutes|total|treatment minutes)")
CPT = re.compile(r"(?<![\d])(?P<code>97\d{3}|G0283)(?![\d])")
TREATMENT_WORD = words(
    r"massage|treat(?:ed|ment|ing)?|tx|applied|performed|provided|session|therapy|manual|exercises?|"
    r"worked|released|addressed|focused|mobili[sz]\w*|strokes?|techniques?|billed|units?|timed")
PERFORMED = words(r"performed|provided|applied|administered|today|this (?:visit|session)|in clinic|instructed|"
                  r"taught|reviewed|educated|trained|training|supervised")
HOME = words(r"home|hep|at home|home program|home exercise|self[- ]care at home|daily at home")

NUMBER_WORD = r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|sixteen|twenty"
FREQUENCY = re.compile(
    r"(?<![\w])(?:(?:" + NUMBER_WORD + r")\s*(?:-\s*(?:" + NUMBER_WORD + r")\s*)?(?:x|×|times?)\s*(?:/|per|a|an|each|every)?\s*"
    r"(?:wk|week|mo|month)s?|(?:once|twice|thrice)\s+(?:a|per|each|every)\s+(?:week|wk|month)|"
    r"(?:once|twice|thrice)\s+(?:weekly|monthly)|weekly|bi-?weekly|every other week|"
    r"(?:" + NUMBER_WORD + r")\s*(?:-\s*(?:" + NUMBER_WORD + r")\s*)?(?:visits?|sessions?|days?|treatments?|appointments?)\s*"
    r"(?:/|per|a|an|each|every)\s*(?:wk|week)|(?-i:BIW|TIW|QW)|b\.i\.w\.?|t\.i\.w\.?|q\.?\s?(?:wk|week)|"
    r"every (?:\d+|one|two|three|four) weeks?|monthly|\d+x/?w(?:k|eek)|(?<![/\d])\d(?:\s*-\s*\d)?\s*/\s*(?:wk|week))(?![\w])",
    I,
)
DURATION = re.compile(
    r"(?<![\w])(?:(?:for|x|×|over|next|through|thru|duration(?: of)?:?|total of|another|additional)\s*"
    r"(?:the\s+)?(?:next\s+)?(?:" + NUMBER_WORD + r")\s*(?:more\s+|additional\s+)?"
    r"(?:weeks?|wks?|months?|mos?|visits?|sessions?|treatments?)"
    r"|(?:" + NUMBER_WORD + r")\s*(?:more\s+|additional\s+|total\s+)?(?:visits|sessions|treatments)"
    r"|(?:" + NUMBER_WORD + r")\s+(?:more|additional|further)\s+(?:weeks?|wks?|months?|mos?)"
    r"|(?:for|over|x|×)\s+(?:a|one|another|the next|the coming)\s+(?:month|week)"
    r"|dur(?:ation|\.)?\s*(?:of\s*)?:?\s*(?:\[[xX\u2713\u2714]\]\s*|[\u2611\u2612]\s*)?(?:" + NUMBER_WORD + r")\s*(?:-\s*\d+\s*)?"
    r"(?:weeks?|wks?|months?|mos?|visits?|sessions?)"
    r"|(?:until|through|thru|till) (?:delivery|birth|her due date|due date|the end of (?:the )?pregnancy|"
    r"pregnancy|postpartum|\d+ weeks?(?: gestation)?|\d{1,2}/\d{1,2}(?:/\d{2,4})?|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* \d{1,2}|\d{4}-\d{2}-\d{2}|discharge)"
    r"|cert(?:ification)? period|(?:poc|plan of care) (?:through|thru|until|ends?|expires?) \S+"
    r"|(?:through|thru|until|till|to) (?:the )?end of (?:the )?(?:poc|plan of care|cert\w*|episode|current plan)"
    r")(?![\w])",
    I,
)
# "weekly x 6", "1x/wk x 4": a frequency followed by a bare count of weeks/visits
FREQUENCY_TIMES = re.compile(r"(?:,\s*|\s+)(?:x|×|for)\s*\d{1,2}(?!\s*(?:min|minutes?|mins?|units?|u\b|reps?|sets?|"
                             r"sec|s\b|/|\d|lb|kg))(?![\w])", I)
GOAL = words(r"goals?|stg|ltg|short[- ]term goals?|long[- ]term goals?|will be able to|to be able to|"
             r"in order to (?:return|resume|tolerate|stand|sit|walk|sleep|lift)")
MEASURE = re.compile(
    r"(?<![\d/.])\d+(?:\.\d+)?\s*(?:°|degrees?|deg\b|%|percent\b|/\s*\d{1,3}\b(?![/.\d])|cm\b|mm\b|mmhg\b|inch(?:es)?\b|"
    r"points?\b|pts\b|seconds?\b|secs?\b|s\b|minutes?\b|mins?\b|feet\b|ft\b|lbs?\b|kg\b|m\b|meters?\b|metres?\b|"
    r"reps?\b|blocks?\b|\+)"
    r"|(?<![\w])(?:oswestry|odi|ndi|lefs|psfs|dash|tug|rom|flexion|extension|rotation|abduction|girth|"
    r"circumference|grip|mmt|strength|slr|score|nprs|vas)\W+(?:\w+\W+){0,2}?\d",
    I,
)
EARLIER = (r"last (?:visit|session|week|time|tx|treatment|month|appointment)|previous(?: visit| session| week| treatment)?|"
           r"prior(?: visit| session| week)?|baseline|initial(?:ly| eval\w*| visit)?|eval(?:uation)?|ie|intake|soc|"
           r"start of care|first (?:visit|session|treatment|appointment)|day 1|visit \d+|session \d+|week \d+|"
           r"(?:(?<=\()|(?<=on )|(?<=since ))\d{1,2}/(?!10\b)\d{1,2}|\d{1,2}/(?!10\b)\d{1,2}(?=\s*:)|"
           r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2}")
COMPARISON = words(
    r"was|were|previously|" + EARLIER + r"|at (?:the )?(?:" + EARLIER + r")|since (?:last|the|initial|eval|start|\w+ weeks)|"
    r"compared (?:to|with)|vs\.?|versus|than (?:at |on )?(?:the )?(?:" + EARLIER + r")|from \d[^.;]{0,25}?\bto\b|"
    r"improved from|down from|up from|increased from|decreased from|->|\u2192|[\u2191\u2193]\s*from")
EARLIER_VISIT = words(EARLIER)
# "FIQR 54 (eval 68)", "ext 25% (IE 10%)", "grip 18 kg (was 14)": a figure with its earlier
# value in brackets is a measure compared with an earlier visit, whatever the measure's name
PAREN_EARLIER = re.compile(r"\d[^()\n]{0,14}\(\s*(?:at\s+(?:the\s+)?|on\s+|vs\.?\s+|from\s+)?(?:" + EARLIER +
                           r"|was|were|previously|prev\.?)\b[^)\n]{0,40}?\d", I)
OBJECTIVE_SIGN = words(r"rom|range|flexion|extension|rotation|abduction|adduction|strength|tolerance|edema|"
                       r"swelling|girth|circumference|spasm|tone|tenderness|trigger points?|test|balance|gait|"
                       r"endurance|mobility|posture|reflex\w*|sensation|centrali[sz]\w*|walk test|tug|score")
REPORTED = words(r"reports?|reported|states?|stated|says|said|feels|felt|per (?:patient|pt|client)|"
                 r"(?:she|he|they) could|according to")
WITHIN_SESSION = words(r"(?:pre|post|before|after)[- ](?:treatment|tx|session|massage|therapy)|end of (?:the )?session|"
                       r"(?:after|following|post)[- ](?:the )?(?:[\w/-]+\s+){0,2}?(?:treatment|session|massage|mfr|stm|"
                       r"iastm|stretch\w*|mobs?|mobili[sz]\w*|glides?|release|exercises?|manual(?: therapy| work)?|"
                       r"techniques?|drainage|mld|traction|manipulation|met)|immediately after|by the end|"
                       r"(?:within|during|in) (?:the |this )?session")
INITIAL_VISIT = words(r"initial (?:evaluation|eval|visit|assessment|session)|first (?:visit|session|treatment)|"
                      r"new patient|evaluation only|start of care")

# ---------------------------------------------------------------- response, referral, relaxation

# Skilled cueing and what the patient did with it ("tactile cues for scapular setting;
# pt able to self-correct", "verbal cueing -> improved form"): a skilled response.
CUEING = words(r"(?:tactile|verbal|visual|manual|mirror|min(?:imal)?|mod(?:erate)?|max(?:imal)?|"
               r"demonstration and|written|auditory|proprioceptive) (?:cues?|cueing|cuing|feedback)|"
               r"cues?|cueing|cuing|biofeedback")
CUED_RESPONSE = words(r"(?:was |is |were )?able to|demonstrat\w+|return[- ]demonstrat\w+|achiev\w+|self[- ]correct\w*|"
                      r"correct(?:ed|ly|s)|improv(?:ed|es|ing)|good (?:form|carryover|technique|control|recall)|"
                      r"carry-?over|without (?:compensation|substitution|cues?|pain)|reduced (?:compensation|"
                      r"substitution)|consistent(?:ly)?|independent(?:ly)?|fewer cues|decreas\w+ (?:need for )?cues|"
                      r"responded|tolerated|->|\u2192")
# what treatment changes: symptoms, tissue, motion (the measure a response names)
RESPONSE_TARGET = (
    r"pain|tone|tension|spasms?|hypertonicity|hypertonus|guarding|tenderness|rom|range of motion|mobility|"
    r"swelling|edema|oedema|restrictions?|trigger points?|adhesions?|girth|circumference|symptoms|sx|"
    r"discomfort|tightness|stiffness|tingling|numbness|paresthesias?|headaches?|ache|aching|"
    r"flexion|extension|rotation|abduction|adduction|dorsiflexion|plantarflexion|supination|pronation|"
    r"side[- ]?bend(?:ing)?|(?-i:DF|PF|ER|IR|AROM|PROM)|pelvic drop|compensation|substitution")
RESPONSE = re.compile(
    r"(?<![\w])(?:tolerated(?:\s+\w+){0,3}|tol\.?\s+(?:well|tx|treatment|session|all|ex\w*|it)|responded|response to (?:treatment|tx|session|massage|manual|\w+)|"
    r"responds well|centrali[sz](?:es|ed|ing|ation|e)|"
    r"(?:decreased|reduced|less|improved|increased|lessened|softened|released|relieved|resolved|eased|"
    r"normali[sz]ed|better)\W+(?:[\w-]+\W+){0,3}?(?:" + RESPONSE_TARGET + r")|"
    r"(?:" + RESPONSE_TARGET + r"|tissue|measurements?)\W+(?:[\w-]+\W+){0,3}?(?:decreased|reduced|improved|"
    r"increased|eased|softened|released|resolved|lessened|down(?=\s*(?:to\b|from\b|by\b|\d|[,.;)]|$))|normali[sz]ed|"
    r"went up|went (?:from|down)|dropped|fell|better|delayed)|"
    r"(?:was |is )?able to (?:[\w-]+\s+){0,5}?(?:correctly|independently|with (?:good|proper|correct) (?:form|technique|"
    r"mechanics)|without (?:pain|compensation|cues|increased \w+))|"
    r"(?:post|after|following)(?:-|\s+)(?:the\s+)?(?:[\w/-]+\s+){0,2}?(?:treatment|tx|session|massage|exercises?|"
    r"mobili[sz]ations?|mobs|glides?|mfr|stm|mld|iastm|manual therapy|therapy|stretch\w*|release|drainage|"
    r"effleurage|petrissage|techniques?|manual work|traction|manipulation|met|repeated \w+)|"
    r"end of (?:the )?session|"
    # "performed all w/o calf pain increase", "donned the sleeve independently after demo"
    r"(?:w/o|without|no)\s+(?:[\w-]+\s+){0,2}?(?:pain|symptoms?|sx|discomfort|swelling)\s+(?:increase|flare)|"
    r"(?:w/o|without|no)\s+(?:an?\s+)?increase(?:d)?\s+(?:in\s+)?(?:[\w-]+\s+)?(?:pain|symptoms|sx|discomfort|swelling)|"
    r"independently\s+(?:[\w/-]+\s+){0,4}?(?:after|following|with)\s+(?:a\s+|the\s+)?(?:demo(?:nstration)?|instruction|"
    r"training|education|cue(?:s|ing)?|practice)|"
    r"(?:response|tolerance)(?: to (?:treatment|tx|session))?\s*:(?:[*_]{1,2})?(?=[ \t]*\S)|responding (?:to|well)|"
    r"no adverse (?:reaction|response|"
    r"effects?|events?)|(?:reports?|reported|felt|feels|noted) (?:relief|less pain|decreased pain|reduced pain|"
    r"improved|better|looser|lighter))(?![\w])",
    I,
)
PROVIDER = (r"dr\.?|doctor|physician|md|do|ob|obgyn|ob/gyn|ob-gyn|midwife|cnm|np|pa|pa-c|pcp|surgeon|"
            r"ortho\w*|sports med\w*|occupational medicine|occ med|neurolog\w*|physiatr\w*|rheumatolog\w*|"
            r"chiropract\w*|urgent care|provider|clinic|primary care|gyn\w*|obstetrician|perinatolog\w*")
REFERRAL = re.compile(
    r"(?<![\w])(?:referr(?:ed|al)(?:\s+[\w.'/-]+){0,4}?\s+(?:by|from|to (?:pt|physical therapy|massage|therapy))|"
    r"referral(?: on file| received| dated| from| order)|"
    r"referring (?:provider|physician|doctor|md|ob|ob/gyn|obgyn|midwife|np|pcp)|"
    r"(?:" + PROVIDER + r")(?:'s)? (?:order|prescription|referral|rx|script)|order(?:ed)? (?:by|from)|"
    r"(?:order|prescription|rx|script|referral) (?:on file|from|by|dated|received|signed)|"
    r"(?:referral|referred|referring|order|orders|rx|prescription|script)(?:\s*/\s*\w+)?\s*[:\-\u2013]\s*"
    r"(?:[\w.,'()-]+\s+){0,4}?(?:" + PROVIDER + r")(?![\w])|"
    r"prescribed by|(?:plan of care|poc) (?:certified|signed|approved)|certified by|signed by (?:dr|the physician|"
    r"physician|md|np)|(?:poc|plan of care) certification|certification (?:signed|on file|dated)|"
    r"(?:signed|certified) (?:poc|plan of care)|"
    r"(?:certifying|ordering|prescribing) (?:physician|provider|practitioner|md|do|np|npp|doctor|dr\.?|clinician)|"
    r"ref\.?:?[ \t]+(?:by[ \t]+)?(?:dr\.?|doctor)[ \t]+[A-Z][\w'-]*|"  # "Ref Dr. Lee": the abbreviated referral
    r"(?:poc|plan of care)\b[^.;\n]{0,60}?\b(?:signed|certified|e-signed|cert\.?(?=[ \t]*(?:\d|on\b|thr|to\b|through)))(?! by (?:the )?(?:patient|pt|pta|dpt|ot|lmt|client|therapist)\b))(?![\w])",
    I,
)
ORDER_WORD = words(r"orders?|prescriptions?|rx|scripts?|referrals?|referred")
ORDER_ON_FILE = words(r"on file|in (?:the )?chart|in (?:the )?record|scanned|received|attached|faxed|signed|dated|"
                      r"uploaded|wrote|written|writes|issued|sent|renewed|"
                      r"dr\.?|doctor|physician|md|ob(?:/gyn|gyn|-gyn)?|midwife|cnm|np|pa-c|pcp|surgeon|ortho\w*|"
                      r"podiatrist|neurolog\w*|physiatr\w*|primary care|provider")
REFERRAL_NOT_YET = words(r"pending|requested|awaiting|to obtain|will obtain|needed|expired|not on file|"
                         r"not received|missing|n/a|to be (?:signed|certified|sent|faxed|obtained)|unsigned|"
                         r"(?:sent|faxed) for (?:signature|certification)|awaiting (?:signature|certification)|"
                         r"(?:would like|wants?|wanted|wishes|asked for|asking for|requests?) (?:a |an |new )?"
                         r"(?:referral|order|rx|script|prescription)|"
                         r"will (?:request|ask|refer|send|fax|contact|call)|to request|recommend\w*|suggest\w*|"
                         r"refer(?:red|ral)? (?:back |out )?to (?!(?:pt|physical therapy|massage|massage therapy|therapy|"
                         r"us|our|this)\b)")
RELAXATION = re.compile(
    r"(?<![\w])(?:relaxation (?:massage|session|treatment|therapy|visit|purposes?)|relaxing (?:massage|session)|"
    # "for relaxation" is wellness; "relaxation of the pelvic floor / masseters" is a clinical aim
    r"(?:general |for |overall )relaxation(?!\s+(?:of|in)\b)|goals?\s*(?:is|:|-)?\s*(?:to\s+)?relax(?:ation)?(?=\s*[.;,]|\s*$)|"
    r"unwind(?:ing)?|de-?stress(?:ing)?|(?:wants?|wanted|wishes|here|came) (?:to|for) (?:\w+ )?relax|"
    r"just (?:to )?relax|spa(?: day| treatment| music| services?| package| visit)?|pamper(?:ing|ed)?|"
    r"wellness (?:massage|visit|session|service|treatment|purposes?)|general wellness|for wellness|"
    r"(?:general|overall|for (?:her |his |their |the client's )?)\s*well-?being|"
    r"stress (?:relief|reduction|relieving)|aromatherapy|hot stones?|me[- ]time|self[- ]care day|"
    r"feel(?:ing)? refreshed|rejuvenat\w*|luxur\w*|indulg\w*|treat (?:herself|himself|yourself))(?![\w])",
    I,
)
CONDITION = words(
    r"pain|aches?|aching|sciatica|radicul\w+|strain|sprain|spasms?|edema|oedema|swelling|dysfunction|stiffness|"
    r"cramps?|cramping|tension|hypertonicity|myalgia|neuralgia|syndrome|tendin\w+|bursitis|fasciitis|"
    r"carpal tunnel|diastasis|instability|weakness|impairment|headaches?|tmj|tmd|lymphedema|neuropathy|"
    r"numbness|tingling|paresthesi\w+|restriction|contracture|adhesions?|trigger points?|myofascial pain|"
    r"torticollis|kyphosis|lordosis|scoliosis|subluxation|arthritis|arthralgia|degenerat\w+|disorder|"
    r"lumbago|cervicalgia|dorsalgia|fibromyalgia|plantar fasciitis|spd|pgp|pelvic girdle pain")
SEPARATE = words(r"separate (?:region|area|body part|site|time|session|block|encounter)s?|distinct (?:region|area|"
                 r"body part|site|time)s?|different (?:region|area|body part|site)s?|separately|non-?overlapping|"
                 r"not (?:the same|overlapping) (?:region|area)")
PREGNANCY_ONLY_DX = ("Z3A", "Z33", "Z34", "O09", "Z32", "Z36", "Z39", "Z37")


# ---------------------------------------------------------------- techniques (data)


@dataclass(frozen=True)
class TechniqueEntry:
    code: str
    service: str  # "massage", "manual therapy", ...
    name: str
    pattern: re.Pattern


@lru_cache(maxsize=1)
def techniques() -> tuple[TechniqueEntry, ...]:
    """notes/data/techniques.yaml: code -> techniques that document it."""
    import yaml

    text = resources.files("cleanclaim.notes").joinpath("data/techniques.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    out = []
    for code, entry in (data.get("codes") or {}).items():
        for name, pattern in (entry.get("techniques") or {}).items():
            out.append(TechniqueEntry(str(code), entry["name"], name, words(pattern)))
    return tuple(out)


def technique_codes() -> dict[str, str]:
    """code -> service name, for the codes with technique entries."""
    return {t.code: t.service for t in techniques()}


# Generic words that name a service without its technique (used only to place minutes).
SERVICE_WORDS = {
    "97124": words(r"massage|massage therapy|mt"),
    "97140": words(r"manual therapy|manual"),
    "97110": words(r"exercises?|therapeutic exercise"),
    "97530": words(r"therapeutic activit(?:y|ies)|functional|ther\.?[- ]?act(?:ivit(?:y|ies)|s)?|(?-i:TA)"),
    "97112": words(r"neuromuscular|balance"),
    "97010": words(r"hot packs?|cold packs?|heat|ice"),
}
