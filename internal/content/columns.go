package content

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Pseudo-fields of award lists and rosters: a first name and a family name
// in two columns, joined into the name ("Prénom Nom").
const (
	fieldFirstName = "first_name"
	fieldLastName  = "last_name"
	fieldIgnored   = "-" // a column mapped to "-" is not read
)

// headerKey folds a column name for matching: letters and digits only,
// lower case, without accents ("N° étudiant" → "netudiant", "E-mail" →
// "email", "student_id" → "studentid").
func headerKey(h string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(h) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// aliases maps folded column names to fields.
type aliases map[string]string

func newAliases(fields map[string][]string) aliases {
	a := aliases{}
	for f, names := range fields {
		a[headerKey(f)] = f
		for _, n := range names {
			a[headerKey(n)] = f
		}
	}
	return a
}

// identityAliases are the column names institutions' exports use for the
// recipient's identifiers (award lists and rosters); documented in
// docs/content.md.
var identityAliases = map[string][]string{
	"email":        {"Courriel", "Mail", "E-mail", "Mél", "Adresse électronique", "Adresse mail", "Adresse e-mail", "Adresse de courriel", "Email address"},
	"eppn":         {"eduPersonPrincipalName"},
	"student_id":   {"N° étudiant", "No étudiant", "Numéro étudiant", "Numéro d'étudiant", "Num étudiant", "Code étudiant", "Student number"},
	"name":         {"Nom complet", "Nom et prénom", "Prénom et nom", "Nom prénom", "Prénom nom", "Full name"},
	fieldLastName:  {"Nom", "Nom de famille", "Last name", "Surname"},
	fieldFirstName: {"Prénom", "First name"},
}

// awardAliases are the accepted names of award list columns.
var awardAliases = newAliases(mergeNames(identityAliases, map[string][]string{
	"badge":              {},
	"level":              {"Niveau"},
	"date":               {"Date d'obtention", "Date d'attribution", "Date du jury", "Date de délivrance"},
	"expires":            {"Expire", "Expiration", "Date d'expiration", "Date de fin de validité", "Valable jusqu'au"},
	"evidence_url":       {"Preuve (URL)", "Preuve (lien)", "Lien de preuve", "Lien vers la preuve", "URL de la preuve"},
	"evidence_narrative": {"Preuve", "Preuve (texte)", "Description de la preuve", "Appréciation", "Observations"},
	"override":           {"Dérogation", "Justification de la dérogation"},
	"lang":               {"Langue", "Language", "Langue du courriel"},
}))

// revocationAliases are the accepted names of revocation list columns.
var revocationAliases = newAliases(map[string][]string{
	"award":  {"Attribution", "Identifiant de l'attribution", "Id attribution"},
	"date":   {"Date de révocation", "Date de retrait"},
	"reason": {"Motif", "Raison"},
	"action": {},
})

// rosterAliases are the accepted names of cohort roster columns.
var rosterAliases = newAliases(identityAliases)

func mergeNames(ms ...map[string][]string) map[string][]string {
	out := map[string][]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// RosterColumn returns the roster field ("email", "eppn", "student_id",
// "name", "first_name" or "last_name") a cohort roster column names,
// aliases included, or "".
func RosterColumn(h string) string { return rosterAliases[headerKey(h)] }

// JoinName joins a first name and a family name as names are published:
// "Prénom Nom".
func JoinName(first, last string) string {
	return strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))
}
