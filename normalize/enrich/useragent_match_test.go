package enrich

import (
	"sync"
	"testing"

	"github.com/ua-parser/uap-go/uaparser"
)

// User agents of many kinds: browsers, phones and tablets, crawlers,
// SDKs and command-line tools, and some odd ones.
var variedUAs = []string{
	"Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Linux; Android 4.4.2; Nexus 7 Build/KOT49H) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/34.0.1847.114 Safari/537.36",
	"Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
	"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
	"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
	"Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)",
	"Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) Presto/2.5.25 Version/10.54",
	"Mozilla/5.0 (Linux; U; Android 2.3.5; en-us; HTC Vision Build/GRI40) AppleWebKit/533.1 (KHTML, like Gecko) Version/4.0 Mobile Safari/533.1",
	"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (PlayStation 4 5.55) AppleWebKit/601.2 (KHTML, like Gecko)",
	"Mozilla/5.0 (Kindle Fire; U; Android 2.3.4; en-us) AppleWebKit/533.1",
	"Dalvik/2.1.0 (Linux; U; Android 9; Redmi Note 7 MIUI/V11.0.5.0.PFGMIXM)",
	"python-requests/2.31.0",
	"Go-http-client/1.1",
	"okhttp/4.9.3",
	"Wget/1.21.3",
	"aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.0 md/GOOS#linux md/GOARCH#amd64 api/s3#1.51.1",
	"aws-sdk-java/1.12.261 Linux/5.10.215-203.850.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS java/17.0.11 vendor/Amazon.com_Inc.",
	"console.amazonaws.com",
	"signin.amazonaws.com",
	"AWS Internal",
	"[aws-sdk-go/1.44.0 (go1.18; linux; amd64)]",
	"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
	"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
	"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
	"curl/8.4.0",
	"-",
	"",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/119.0.6045.9 Safari/537.36",
	"Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) 76.0.3809.146/6.0 TV Safari/537.36",
	"Mozilla/5.0 (ſymbian; \u212aindle)",
	"MOZILLA/5.0 (IPHONE; CPU IPHONE OS 16_0 LIKE MAC OS X)",
	"BlackBerry9700/5.0.0.351 Profile/MIDP-2.1 Configuration/CLDC-1.1 VendorID/123",
}

var uapReference struct {
	once sync.Once
	p    *uaparser.Parser
}

// sameAsUapGo compares the prefiltered matcher with uap-go's own lookups.
func sameAsUapGo(t testing.TB, m *uaMatcher, s string) {
	uapReference.once.Do(func() { uapReference.p, _ = uaparser.New() })
	ref := uapReference.p
	ua, os, dev := m.parse(s)
	if want := *ref.ParseUserAgent(s); ua != want {
		t.Errorf("%q: user agent %+v, uap-go %+v", s, ua, want)
	}
	if want := *ref.ParseOs(s); os != want {
		t.Errorf("%q: os %+v, uap-go %+v", s, os, want)
	}
	if want := *ref.ParseDevice(s); dev != want {
		t.Errorf("%q: device %+v, uap-go %+v", s, dev, want)
	}
}

var testMatcher struct {
	once sync.Once
	m    *uaMatcher
}

func sharedMatcher() *uaMatcher {
	testMatcher.once.Do(func() {
		p, _ := uaparser.New(uaparser.WithCacheSize(1))
		testMatcher.m = newUAMatcher(p)
	})
	return testMatcher.m
}

func TestUserAgentPrefilterAgreesWithUapGo(t *testing.T) {
	m := sharedMatcher()
	for _, s := range append(append([]string{}, variedUAs...), benchUAs...) {
		sameAsUapGo(t, m, s)
	}
}

// The prefilter must never skip a pattern that matches: any input gives
// uap-go's verdict.
func FuzzUserAgentPrefilter(f *testing.F) {
	for _, s := range variedUAs {
		f.Add(s)
	}
	m := sharedMatcher()
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 512 {
			return
		}
		sameAsUapGo(t, m, s)
	})
}
