package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
)

// TestReportZeroResultQuestion: a question that finds nothing shows up
// in the report, with the platform that asked it, and 👎 feedback shows
// the results that were rated.
func TestReportZeroResultQuestion(t *testing.T) {
	_, a := demoEngine(t)
	if code, _, errOut := runCLI(t, a.dataDir, "ask", "wat werkt bij schulden?"); code != exitOK {
		t.Fatalf("ask: exit %d %s", code, errOut)
	}
	if code, _, _ := runCLI(t, a.dataDir, "ask", "xyzzy plugh?"); code != exitNothing {
		t.Fatalf("ask xyzzy: exit %d, want %d", code, exitNothing)
	}
	runCLI(t, a.dataDir, "ask", "Schulden")

	st, err := a.openStore(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	qs, _ := st.Questions(t.Context(), time.Time{})
	if len(qs) != 3 {
		t.Fatalf("question log holds %d questions, want 3", len(qs))
	}
	err = st.PutFeedback(t.Context(), corpus.Feedback{Platform: "telegram", Question: "wat werkt bij schulden?", ResultIDs: qs[0].ResultIDs, Rating: -1})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCLI(t, a.dataDir, "report", "--json", "--since", "1d")
	if code != exitOK {
		t.Fatalf("report: exit %d %s", code, errOut)
	}
	var rep corpus.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report --json: %v\n%s", err, out)
	}
	if rep.Questions != 3 || rep.ZeroResults != 1 || rep.Platforms["cli"] != 3 {
		t.Errorf("report counts: %d questions, %d zero, platforms %v", rep.Questions, rep.ZeroResults, rep.Platforms)
	}
	if len(rep.Zero) != 1 || rep.Zero[0].Example != "xyzzy plugh?" {
		t.Errorf("zero-result questions = %+v", rep.Zero)
	}
	if len(rep.Top) == 0 || rep.Top[0].Query != "schulden" || rep.Top[0].Count != 2 {
		t.Errorf("top question = %+v, want schulden asked twice", rep.Top)
	}
	if len(rep.ThumbsDown) != 1 || len(rep.ThumbsDown[0].Results) == 0 || rep.ThumbsDown[0].Results[0].URL == "" {
		t.Errorf("thumbs down = %+v", rep.ThumbsDown)
	}

	code, out, _ = runCLI(t, a.dataDir, "report")
	if code != exitOK || !strings.Contains(out, "Vragen zonder resultaat (1)") || !strings.Contains(out, "xyzzy plugh?") {
		t.Errorf("report text (exit %d):\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, a.dataDir, "report", "--since", "gisteren"); code != exitUsage || !strings.Contains(errOut, "geen geldige duur") {
		t.Errorf("report --since gisteren: exit %d, stderr %q", code, errOut)
	}
}
