import sre


def main(console_only: bool = False, max_users: int = 200) -> dict:
    """IAM users with no MFA device, and whether they can sign in to the console (reads
    user metadata only: no keys, no passwords)."""
    rows, checked = [], 0
    for page in sre.pages("aws/iam/ListUsers", {}, max_items=max_users):
        for user in page.get("Users") or []:
            checked += 1
            name = user["UserName"]
            devices = sre.call("aws/iam/ListMFADevices", UserName=name).get("MFADevices") or []
            if devices:
                continue
            try:
                sre.call("aws/iam/GetLoginProfile", UserName=name)
                console = True
            except sre.CallError as exc:
                if exc.code != "NoSuchEntity":
                    raise
                console = False
            if console_only and not console:
                continue
            rows.append({"user": name, "arn": user.get("Arn", ""),
                         "created": user.get("CreateDate"), "console_access": console,
                         "last_console_sign_in": user.get("PasswordLastUsed")})
    rows.sort(key=lambda r: (not r["console_access"], r["user"]))
    return {"users_checked": checked, "count": len(rows), "users": rows}

# --- test ---

def test_lists_users_without_mfa():
    result = main()
    assert result["count"] == len(result["users"]) >= 1
    assert result["users_checked"] > result["count"]
    flags = [r["console_access"] for r in result["users"]]
    assert flags == sorted(flags, reverse=True)


def test_console_only():
    console = main(console_only=True)
    assert console["count"] >= 1 and all(r["console_access"] for r in console["users"])
