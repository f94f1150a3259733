def test_lists_alarms_in_alarm_state():
    result = main()
    assert result["count"] == len(result["alarms"]) >= 1
    for row in result["alarms"]:
        assert row["state"] == "ALARM" and row["alarm"] and row["reason"]


def test_other_states_and_prefix():
    ok = main(state="OK")
    assert all(r["state"] == "OK" for r in ok["alarms"])
    assert main(name_prefix="no-such-alarm-prefix")["count"] == 0
