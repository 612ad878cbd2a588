"""Every screen of the station app, by name: where its class lives.

A new screen is one line in SCREENS (kept apart from the app class in app.ui.main so that
adding a screen touches nothing else). Only the first screen shown (enroll or sign-in) is
built at start; each other one is imported and built the first time it is opened
(``SanjiApp.screen_named``), so the tablet shows its first frame without loading screens
nobody has asked for yet.
"""
from __future__ import annotations

# Screens that need nobody signed in; all others send you to sign-in first.
OPEN_SCREENS = ("enroll", "signin", "help")
# Every screen: name → (module, class).
SCREENS: dict[str, tuple[str, str]] = {
    "enroll": ("app.ui.enroll_screen", "EnrollScreen"),
    "signin": ("app.ui.signin_screen", "SignInScreen"),
    "home": ("app.ui.home_screen", "HomeScreen"),
    "visits": ("app.ui.visit_screen", "VisitScreen"),
    "duty": ("app.ui.duty_screen", "DutyScreen"),
    "intake": ("app.ui.intake_screen", "IntakeScreen"),
    "ledger": ("app.ui.ledger_screen", "LedgerScreen"),
    "case": ("app.ui.case_screen", "CaseScreen"),
    "town": ("app.ui.town_screen", "TownScreen"),
    "disputes": ("app.ui.dispute_board_screen", "DisputeBoardScreen"),
    "dispute_intake": ("app.ui.dispute_intake_screen", "DisputeIntakeScreen"),
    "dispute": ("app.ui.dispute_screen", "DisputeScreen"),
    "agreement": ("app.ui.agreement_screen", "AgreementScreen"),
    "petitions": ("app.ui.petition_board_screen", "PetitionBoardScreen"),
    "petition_intake": ("app.ui.petition_intake_screen", "PetitionIntakeScreen"),
    "petition": ("app.ui.petition_screen", "PetitionScreen"),
    "accusation": ("app.ui.accusation_screen", "AccusationScreen"),
    "discipline": ("app.ui.discipline_screen", "DisciplineScreen"),
    "discipline_case": ("app.ui.discipline_screen", "DisciplineCaseScreen"),
    "assessment": ("app.ui.assessment_screen", "AssessmentScreen"),
    "oversight": ("app.ui.oversight_screen", "OversightScreen"),
    "oversight_opinion": ("app.ui.oversight_screen", "OversightOpinionScreen"),
    "rules": ("app.ui.rules_screen", "RulesScreen"),
    "paper_settings": ("app.ui.paper_settings_screen", "PaperSettingsScreen"),
    "settings": ("app.ui.settings_screen", "SettingsScreen"),
    "opinions": ("app.ui.opinion_screen", "OpinionListScreen"),
    "opinion": ("app.ui.opinion_screen", "OpinionScreen"),
    "screening": ("app.ui.screening_screen", "ScreeningScreen"),
    "risks": ("app.ui.risk_screen", "RiskListScreen"),
    "risk": ("app.ui.risk_screen", "RiskScreen"),
    "visit": ("app.ui.visit_detail_screen", "VisitDetailScreen"),
    "local_matter": ("app.ui.local_matter_screen", "LocalMatterScreen"),
    "help": ("app.ui.help_screen", "HelpScreen"),
    "decisions": ("app.ui.decision_screen", "DecisionListScreen"),
    "decision": ("app.ui.decision_screen", "DecisionScreen"),
    "roster": ("app.ui.roster_screen", "RosterScreen"),
}

