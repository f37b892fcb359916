use super::*;

#[test]
fn api_dates_compare_by_their_prefix() {
    assert_eq!(api_date("2022-05-01"), Some("2022-05-01"));
    assert_eq!(api_date("2022-05-01-preview"), Some("2022-05-01"));
    assert_eq!(api_date("2022-05-01preview"), None);
    assert_eq!(api_date("2022-5-01"), None);
    assert_eq!(api_date(""), None);
    assert!(api_date("2022-04-01-preview") < Some(workspace::V1_LEGACY_MODE_FALSE_FROM));
}

#[test]
fn keywords_parse_ignoring_case() {
    assert_eq!(Access::parse("DISABLED"), Some(Access::Disabled));
    assert_eq!(Access::parse("Disabled "), None);
    assert_eq!(
        IsolationMode::parse("allowonlyapprovedoutbound"),
        Some(IsolationMode::AllowOnlyApprovedOutbound)
    );
    assert_eq!(ComputeType::parse("aks"), Some(ComputeType::Aks));
    assert_eq!(
        PeNetworkPolicies::parse("networksecuritygroupenabled"),
        Some(PeNetworkPolicies::NetworkSecurityGroupEnabled)
    );
    assert_eq!(DefaultAction::Deny.to_string(), "Deny");
}

#[test]
fn settings_keep_unknown_unknown() {
    let unknown: Setting<'_, bool> = Setting::Unknown(Cause::NotDeployed);
    assert_eq!(unknown.is(&false), Tri::Unknown);
    assert_eq!(unknown.tri(), Tri::Unknown);
    assert_eq!(Setting::<bool>::Absent.tri(), Tri::Unknown);
    assert_eq!(Setting::<bool>::Absent.is(&false), Tri::False);
    assert_eq!(Setting::Default(3).map(|n| n * 2), Setting::Default(6));
    assert!(Setting::Set(1).is_set() && !Setting::Default(1).is_set());
    assert_eq!(unknown.cause(), Some(Cause::NotDeployed));
    let value = Value::Int(3);
    assert_eq!(
        item_string(&value),
        Setting::Unknown(Cause::Invalid(&value))
    );
    assert_eq!(
        Cause::NoDefault("why").to_string(),
        "not set and no default applies: why"
    );
}

#[test]
fn regions_normalise() {
    assert_eq!(normalize_location("West Europe"), "westeurope");
    assert_eq!(normalize_location(" USGov Virginia "), "usgovvirginia");
}
