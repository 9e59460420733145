package bots

// SearchJSON is the machine-readable answer of `watwerkt search --json`
// and of the HTTP API's /api/search: one shape for scripts and services.
type SearchJSON struct {
	Query string    `json:"query"`
	Total int       `json:"total"`
	Hits  []JSONHit `json:"hits"`
	Fuzzy bool      `json:"fuzzy,omitempty"` // found only with spelling relaxed
	// Facets (only when asked for): "bron", "thema", "jaar" → values
	// (lower-cased, as filters take them) with counts.
	Facets map[string][]FacetJSON `json:"facets,omitempty"`
}

// FacetJSON is one facet value and the number of matching documents.
type FacetJSON struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// JSONHit is one hit; snippet marks matches as **word**.
type JSONHit struct {
	ID        string   `json:"id"`
	URL       string   `json:"url"`
	Title     string   `json:"title"`
	Source    string   `json:"source"`
	Published string   `json:"published"`
	Score     float64  `json:"score"`
	Snippet   string   `json:"snippet"`
	Type      string   `json:"type,omitempty"`
	Themes    []string `json:"themes,omitempty"`
	Explain   string   `json:"explain,omitempty"`
	Pinned    bool     `json:"pinned,omitempty"` // placed first by a curator's pin
}
