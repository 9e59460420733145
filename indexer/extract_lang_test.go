package indexer

import "testing"

func TestGuessLanguage(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Gedeelde besluitvorming betekent dat de jongere, de ouders en de hulpverlener samen kiezen welke hulp er komt. " +
			"Dat klinkt vanzelfsprekend, maar in de praktijk beslist de professional nog vaak alleen.", "nl"},
		{"Shared decision making means that the young person, the parents and the professional choose together which help " +
			"is given. That sounds obvious, but in practice the professional still often decides alone, as research has shown.", "en"},
		{"Gemeinsame Entscheidungsfindung bedeutet, dass der Jugendliche, die Eltern und die Fachkraft gemeinsam wählen, " +
			"welche Hilfe es gibt. Das klingt selbstverständlich, ist aber in der Praxis noch nicht die Regel und wird oft vergessen.", "de"},
		{"La prise de décision partagée signifie que le jeune, les parents et le professionnel choisissent ensemble " +
			"l'aide qui sera apportée. Cela semble évident, mais dans la pratique ce n'est pas toujours le cas pour les familles.", "fr"},
		{"子どもの権利について、保護者と専門家がいっしょに考えることが大切です。", "ja"},
		{"青少年护理中的共同决策意味着青少年、父母和专业人员共同选择帮助。", "zh"},
		{"청소년 돌봄에서 공동 의사결정은 청소년과 부모와 전문가가 함께 선택하는 것을 뜻합니다.", "ko"},
		// Too few words, Latin filler, a script several languages share.
		{"Contact en route", ""},
		{"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.", ""},
		{"Совместное принятие решений означает, что подросток, родители и специалист выбирают помощь вместе.", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := guessLanguage(tt.text); got != tt.want {
			t.Errorf("guessLanguage(%.40q…) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
