package dashboard

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/francebadge/blason/internal/csvout"
)

// DataDir is the folder, relative to the dashboards' folder, of the open
// data files: <id>.csv, <id>.json and schema.json.
const DataDir = "data/"

// Display is how a count is written for people: the number, "< k" when it
// is below k, "" when it is hidden to protect another count.
func (d *Dashboard) Display(c Count) string {
	switch c.q.status {
	case Primary:
		return "< " + strconv.Itoa(d.K)
	case Secondary:
		return ""
	}
	return strconv.Itoa(c.q.value)
}

// CSV writes the dashboard's counts as one long table, Excel-friendly
// (package csvout: UTF-8 with BOM, semicolons), one line per count:
// dashboard;table;row;row_label;column;value;suppressed. row_label is in
// lang; value is a number, "< k", or empty when suppressed is "secondary".
func (d *Dashboard) CSV(lang string) ([]byte, error) {
	var buf bytes.Buffer
	w := csvout.NewWriter(&buf)
	w.Write([]string{"dashboard", "table", "row", "row_label", "column", "value", "suppressed"})
	for _, f := range d.Figures {
		w.Write([]string{d.ID(), "figures", f.Key, "", "count", d.Display(f.Count), f.Count.Status().String()})
	}
	for _, t := range d.Tables {
		for _, r := range t.Rows {
			for i, c := range r.Cells {
				w.Write([]string{d.ID(), t.ID, r.Key, r.Label.Text[lang], t.Columns[i].Key, d.Display(c), c.Status().String()})
			}
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

type jsonCell struct {
	Value      *int   `json:"value"`
	Suppressed string `json:"suppressed,omitempty"`
	Display    string `json:"display,omitempty"`
}

type jsonLabeled struct {
	Key      string            `json:"key"`
	Label    map[string]string `json:"label,omitempty"`
	LabelKey string            `json:"labelKey,omitempty"`
}

type jsonRow struct {
	jsonLabeled
	Total bool       `json:"total,omitempty"`
	Cells []jsonCell `json:"cells"`
}

type jsonTable struct {
	ID      string            `json:"id"`
	Title   string            `json:"title"`
	Subject map[string]string `json:"subject,omitempty"`
	Columns []jsonLabeled     `json:"columns"`
	Rows    []jsonRow         `json:"rows"`
}

type jsonFigure struct {
	Key string `json:"key"`
	jsonCell
}

type jsonDashboard struct {
	Schema    string       `json:"$schema"`
	Dashboard string       `json:"dashboard"`
	Kind      string       `json:"kind"`
	Space     string       `json:"space,omitempty"`
	Members   []string     `json:"members"`
	K         int          `json:"k"`
	AsOf      string       `json:"asOf,omitempty"`
	Figures   []jsonFigure `json:"figures"`
	Tables    []jsonTable  `json:"tables"`
}

func (d *Dashboard) cell(c Count) jsonCell {
	if v, ok := c.Value(); ok {
		return jsonCell{Value: &v}
	}
	return jsonCell{Suppressed: c.Status().String(), Display: d.Display(c)}
}

func labeled(key string, l Label) jsonLabeled {
	return jsonLabeled{Key: key, Label: l.Text, LabelKey: l.Key}
}

// JSON writes the dashboard's counts as described by schema.json
// (SchemaJSON; docs/dashboards.md).
func (d *Dashboard) JSON() ([]byte, error) {
	j := jsonDashboard{Schema: "schema.json", Dashboard: d.ID(), Kind: d.Kind, K: d.K, Members: []string{}, Figures: []jsonFigure{}, Tables: []jsonTable{}}
	if d.Space != nil {
		j.Space = d.Space.Slug
	}
	if !d.AsOf.IsZero() {
		j.AsOf = d.AsOf.Format("2006-01-02")
	}
	for _, m := range d.Members {
		j.Members = append(j.Members, m.Slug)
	}
	for _, f := range d.Figures {
		j.Figures = append(j.Figures, jsonFigure{Key: f.Key, jsonCell: d.cell(f.Count)})
	}
	for _, t := range d.Tables {
		jt := jsonTable{ID: t.ID, Title: t.Title, Subject: t.Subject, Columns: []jsonLabeled{}, Rows: []jsonRow{}}
		for _, c := range t.Columns {
			jt.Columns = append(jt.Columns, labeled(c.Key, c.Label))
		}
		for _, r := range t.Rows {
			jr := jsonRow{jsonLabeled: labeled(r.Key, r.Label), Total: r.Total}
			for _, c := range r.Cells {
				jr.Cells = append(jr.Cells, d.cell(c))
			}
			jt.Rows = append(jt.Rows, jr)
		}
		j.Tables = append(j.Tables, jt)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "< 5", not "\u003c 5"
	enc.SetIndent("", "  ")
	err := enc.Encode(j)
	return buf.Bytes(), err
}

// SchemaJSON is the JSON Schema of the dashboards' JSON files, published as
// data/schema.json beside them.
const SchemaJSON = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Blason dashboard",
  "description": "Aggregate counts of one dashboard. Counts below k are suppressed: value is null, suppressed is \"primary\" (below k, display \"< k\") or \"secondary\" (hidden so that a small count cannot be derived by subtraction).",
  "type": "object",
  "required": ["dashboard", "kind", "members", "k", "figures", "tables"],
  "properties": {
    "$schema": {"type": "string"},
    "dashboard": {"type": "string", "description": "national, network-{space slug} or space-{space slug}"},
    "kind": {"enum": ["national", "network", "space"]},
    "space": {"type": "string", "description": "the space, or the network's head space"},
    "members": {"type": "array", "items": {"type": "string"}, "description": "slugs of the spaces covered"},
    "k": {"type": "integer", "minimum": 3, "description": "suppression threshold"},
    "asOf": {"type": "string", "format": "date", "description": "date of the latest award or revocation of the site"},
    "figures": {"type": "array", "items": {"allOf": [{"$ref": "#/$defs/cell"}, {"type": "object", "required": ["key"], "properties": {"key": {"enum": ["awards", "holders", "revoked", "suspended", "expired", "claimed", "wallet", "passport"]}}}]}},
    "tables": {"type": "array", "items": {
      "type": "object",
      "required": ["id", "title", "columns", "rows"],
      "properties": {
        "id": {"type": "string"},
        "title": {"type": "string", "description": "theme string key of the title"},
        "subject": {"$ref": "#/$defs/text"},
        "columns": {"type": "array", "items": {"$ref": "#/$defs/labeled"}},
        "rows": {"type": "array", "items": {"allOf": [{"$ref": "#/$defs/labeled"}, {"type": "object", "required": ["cells"], "properties": {
          "total": {"type": "boolean"},
          "cells": {"type": "array", "items": {"$ref": "#/$defs/cell"}}
        }}]}}
      }
    }}
  },
  "$defs": {
    "text": {"type": "object", "additionalProperties": {"type": "string"}, "description": "by language"},
    "labeled": {"type": "object", "required": ["key"], "properties": {"key": {"type": "string"}, "label": {"$ref": "#/$defs/text"}, "labelKey": {"type": "string"}}},
    "cell": {"type": "object", "required": ["value"], "properties": {
      "value": {"type": ["integer", "null"]},
      "suppressed": {"enum": ["primary", "secondary"]},
      "display": {"type": "string"}
    }}
  }
}
`
