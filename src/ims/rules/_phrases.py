"""The words of generated sentences: one template per message id, per language.

:func:`say` picks the table of the language (``nl``; ``nl-SR`` falls back to
``nl``), else English, and fills the template with :meth:`str.format`.  English
is complete and the fallback for every id and every other language; a
language added here needs every id (a test checks that).

Ids starting with ``holds.`` describe a condition that holds (what a failed
``not`` says may not be the case); they must read as a main clause, because
they are also joined with ``and``/``or``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_EN: dict[str, str] = {
    # --- words
    "and": "and",
    "or": "or",
    "none": "none",
    "true": "true",
    "false": "false",
    "empty": "empty",
    "decimal-point": ".",
    # --- statuses (steps and documents); ``UPLOADED`` is PENDING or VERIFIED
    "status.UPLOADED": "uploaded",
    "status.PENDING": "pending",
    "status.COMPLETED": "completed",
    "status.VERIFIED": "verified",
    "status.REJECTED": "rejected",
    "status.MISSING": "missing",
    # --- field comparisons (``field`` is the field's label)
    "field.required": "{field} is required",
    "field.eq": "{field} must be {value} (is {actual})",
    "field.ne": "{field} must not be {value}",
    "field.gt": "{field} must be more than {value} (is {actual})",
    "field.gte": "{field} must be at least {value} (is {actual})",
    "field.lt": "{field} must be less than {value} (is {actual})",
    "field.lte": "{field} must be at most {value} (is {actual})",
    "field.in": "{field} must be one of {value} (is {actual})",
    "field.not_in": "{field} must not be one of {value} (is {actual})",
    "field.present": "{field} must be empty (is {actual})",
    "field.matches": "{field} does not have the expected format (is {actual})",
    "field.min_length.text": "{field} must be at least {value} characters long (is {size})",
    "field.max_length.text": "{field} must be at most {value} characters long (is {size})",
    "field.min_length.items": "{field} must have at least {value} items (has {size})",
    "field.max_length.items": "{field} must have at most {value} items (has {size})",
    "field.in_reference": "{field} {actual} is not a known {category}",
    "holds.field.eq": "{field} is {value}",
    "holds.field.ne": "{field} is not {value}",
    "holds.field.gt": "{field} is more than {value}",
    "holds.field.gte": "{field} is at least {value}",
    "holds.field.lt": "{field} is less than {value}",
    "holds.field.lte": "{field} is at most {value}",
    "holds.field.in": "{field} is one of {value}",
    "holds.field.not_in": "{field} is not one of {value}",
    "holds.field.present": "{field} is given",
    "holds.field.absent": "{field} is empty",
    "holds.field.matches": "{field} has the expected format",
    "holds.field.min_length": "{field} has a length of at least {value}",
    "holds.field.max_length": "{field} has a length of at most {value}",
    "holds.field.in_reference": "{field} is a known {category}",
    # --- documents (``what``: document type labels, or the two words below)
    "documents.a-document": "a document",
    "documents.documents": "documents",
    "documents.have": "({count} {status})",
    "documents.needed": "{what} is needed {have}",
    "documents.needed-many": "at least {min} {what} are needed {have}",
    "documents.none-may": "no {what} may be {status} {have}",
    "documents.at-most-may": "at most {max} {what} may be {status} {have}",
    "holds.documents.one": "{what} is {status}",
    "holds.documents.at-least": "at least {min} {what} are {status}",
    "holds.documents.between": "between {min} and {max} {what} are {status}",
    "holds.documents.none": "no {what} is {status}",
    "holds.documents.at-most": "at most {max} {what} are {status}",
    # ``single``: 1 of 1; ``one``: 1 of several; ``many``: several
    "required-documents.single": "{missing} of {total} required document is not {level}: {names}",
    "required-documents.one": "{missing} of {total} required documents is not {level}: {names}",
    "required-documents.many": "{missing} of {total} required documents are not {level}: {names}",
    "holds.required-documents": "all required documents are {level}",
    # --- steps
    "step.not": "step '{step}' is not {status}",
    "step.not-is": "step '{step}' is not {status} (is {actual})",
    "step.field": "step '{step}': {sentence}",
    "holds.step": "step '{step}' is {status}",
    "holds.step.field": "step '{step}': {description}",
    # --- roles
    "role.only": "only {roles} may {doing} {you}",
    "role.do-this": "do this",
    "role.you-are": "(you are: {roles})",
    "role.no-role": "(you have no role)",
    "role.no-user": "(no user)",
    "holds.role": "you are {roles}",
    # --- time in state
    "time.min": "at least {hours} hours must pass in this state ({so_far} so far)",
    "time.max": "at most {hours} hours may pass in this state ({so_far} so far)",
    "holds.time.min": "at least {hours} hours passed in this state",
    "holds.time.max": "at most {hours} hours passed in this state",
    # --- combinators and predicates
    "any.none-of": "none of: {parts}",
    "not.allowed": "not allowed when {description}",
    "holds.not": "not ({description})",
    "holds.predicate": "'{name}' holds",
    # --- the engine
    "engine.unknown-action": "'{action}' is not an action of state {state}; available: {available}",
    "engine.reason-required": "a reason is required",
    "engine.comment-required": "a comment is required",
    "engine.closed": "application is closed ({state})",
    "engine.unknown-state": "application is in state {state}, which workflow {workflow} lacks",
    "engine.no-previous": "there is no previous state to return to",
    "engine.previous-unknown": "the previous state {state} is not a state of this workflow",
}

_NL: dict[str, str] = {
    "and": "en",
    "or": "of",
    "none": "geen",
    "true": "ja",
    "false": "nee",
    "empty": "leeg",
    "decimal-point": ",",
    "status.UPLOADED": "geüpload",
    "status.PENDING": "in behandeling",
    "status.COMPLETED": "afgerond",
    "status.VERIFIED": "geverifieerd",
    "status.REJECTED": "afgewezen",
    "status.MISSING": "ontbrekend",
    # ``options`` is the list as "'a', 'b' of 'c'"
    "field.required": "{field} is verplicht",
    "field.eq": "{field} moet {value} zijn (is {actual})",
    "field.ne": "{field} mag niet {value} zijn",
    "field.gt": "{field} moet meer dan {value} zijn (is {actual})",
    "field.gte": "{field} moet minstens {value} zijn (is {actual})",
    "field.lt": "{field} moet minder dan {value} zijn (is {actual})",
    "field.lte": "{field} mag hoogstens {value} zijn (is {actual})",
    "field.in": "{field} moet {options} zijn (is {actual})",
    "field.not_in": "{field} mag niet {options} zijn (is {actual})",
    "field.present": "{field} moet leeg zijn (is {actual})",
    "field.matches": "{field} heeft niet de verwachte vorm (is {actual})",
    "field.min_length.text": "{field} moet minstens {value} tekens lang zijn (is {size})",
    "field.max_length.text": "{field} mag hoogstens {value} tekens lang zijn (is {size})",
    "field.min_length.items": "{field} moet minstens {value} items bevatten (bevat {size})",
    "field.max_length.items": "{field} mag hoogstens {value} items bevatten (bevat {size})",
    "field.in_reference": "{field} {actual} staat niet in de lijst {category}",
    "holds.field.eq": "{field} is {value}",
    "holds.field.ne": "{field} is niet {value}",
    "holds.field.gt": "{field} is meer dan {value}",
    "holds.field.gte": "{field} is minstens {value}",
    "holds.field.lt": "{field} is minder dan {value}",
    "holds.field.lte": "{field} is hoogstens {value}",
    "holds.field.in": "{field} is {options}",
    "holds.field.not_in": "{field} is niet {options}",
    "holds.field.present": "{field} is ingevuld",
    "holds.field.absent": "{field} is leeg",
    "holds.field.matches": "{field} heeft de verwachte vorm",
    "holds.field.min_length": "{field} heeft een lengte van minstens {value}",
    "holds.field.max_length": "{field} heeft een lengte van hoogstens {value}",
    "holds.field.in_reference": "{field} staat in de lijst {category}",
    "documents.a-document": "een document",
    "documents.documents": "documenten",
    "documents.have": "({count} {status})",
    "documents.needed": "{what} is nodig {have}",
    "documents.needed-many": "er zijn minstens {min} {what} nodig {have}",
    "documents.none-may": "er mogen geen {what} {status} zijn {have}",
    "documents.at-most-may": "er mogen hoogstens {max} {what} {status} zijn {have}",
    "holds.documents.one": "{what} is {status}",
    "holds.documents.at-least": "minstens {min} {what} zijn {status}",
    "holds.documents.between": "tussen {min} en {max} {what} zijn {status}",
    "holds.documents.none": "er zijn geen {what} {status}",
    "holds.documents.at-most": "hoogstens {max} {what} zijn {status}",
    "required-documents.single": "{missing} van {total} verplicht document is niet {level}: {names}",
    "required-documents.one": "{missing} van {total} verplichte documenten is niet {level}: {names}",
    "required-documents.many": "{missing} van {total} verplichte documenten zijn niet {level}: {names}",
    "holds.required-documents": "alle verplichte documenten zijn {level}",
    "step.not": "stap '{step}' is niet {status}",
    "step.not-is": "stap '{step}' is niet {status} (is {actual})",
    "step.field": "stap '{step}': {sentence}",
    "holds.step": "stap '{step}' is {status}",
    "holds.step.field": "stap '{step}': {description}",
    "role.only": "alleen {roles} mag {doing} {you}",
    "role.do-this": "dit doen",
    "role.you-are": "(u bent: {roles})",
    "role.no-role": "(u heeft geen rol)",
    "role.no-user": "(geen gebruiker)",
    "holds.role": "u bent {roles}",
    "time.min": "de aanvraag moet minstens {hours} uur in deze status zijn ({so_far} tot nu toe)",
    "time.max": "de aanvraag mag hoogstens {hours} uur in deze status zijn ({so_far} tot nu toe)",
    "holds.time.min": "de aanvraag is minstens {hours} uur in deze status",
    "holds.time.max": "de aanvraag is hoogstens {hours} uur in deze status",
    "any.none-of": "aan geen van deze voorwaarden is voldaan: {parts}",
    # ``want`` keeps the main-clause word order of the description
    "not.allowed": "niet toegestaan, want {description}",
    "holds.not": "niet ({description})",
    "holds.predicate": "aan '{name}' is voldaan",
    "engine.unknown-action": ("'{action}' is geen actie van status {state}; beschikbaar: {available}"),
    "engine.reason-required": "een reden is verplicht",
    "engine.comment-required": "een toelichting is verplicht",
    "engine.closed": "de aanvraag is afgesloten ({state})",
    "engine.unknown-state": "de aanvraag staat in status {state}, die workflow {workflow} niet kent",
    "engine.no-previous": "er is geen vorige status om naar terug te keren",
    "engine.previous-unknown": "de vorige status {state} is geen status van deze workflow",
}

#: language -> message id -> template
PHRASES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"en": MappingProxyType(_EN), "nl": MappingProxyType(_NL)}
)
#: Every message id (English has them all).
MESSAGE_IDS: tuple[str, ...] = tuple(_EN)


def phrases_for(language: str) -> Mapping[str, str]:
    """The table of ``language`` (``nl-SR``: ``nl``), else English."""
    table = PHRASES.get(language)
    if table is None:
        base = language.replace("_", "-").split("-")[0].lower()
        table = PHRASES.get(base, PHRASES["en"])
    return table


def say(language: str, message_id: str, /, **values: object) -> str:
    """The sentence ``message_id`` in ``language``, filled with ``values``."""
    template = phrases_for(language).get(message_id) or _EN[message_id]
    return template.format(**values)


def status_word(language: str, status: str) -> str:
    """``COMPLETED`` -> ``completed`` / ``afgerond``; an unknown status in lower case."""
    word = phrases_for(language).get(f"status.{status}") or _EN.get(f"status.{status}")
    return word or status.lower().replace("_", " ")
