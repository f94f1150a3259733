from mcp_sre.retrieval.term_weights import TermWeights


def test_a_word_said_twice_keeps_its_highest_weight():
    terms = TermWeights([], {})
    terms.add("pods", 0.45)
    terms.add("pods events", 0.8)
    assert terms == {"pod": 0.8, "event": 0.8}


def test_a_compound_word_also_names_its_parts():
    terms = TermWeights([], {"rolebind": ("role", "bind")})
    terms.add("rolebindings", 1.0)
    assert {"rolebind", "role", "bind"} <= set(terms)


def test_weaken_caps_only_words_the_request_has():
    terms = TermWeights([], {})
    terms.add("orders db", 1.0)
    terms.weaken({"order", "queue"}, 0.2)
    assert terms["order"] == 0.2 and terms["db"] == 1.0 and "queue" not in terms
    terms.weaken({"db"}, 1.5)  # a cap never raises a weight
    assert terms["db"] == 1.0
