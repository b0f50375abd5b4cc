package content

import "testing"

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Connect Microsoft 365": "connect-microsoft-365",
		"--a__b--":              "a-b",
		"Déjà vu":               "d-j-vu",
		"already-a-slug":        "already-a-slug",
		"":                      "",
	} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}
