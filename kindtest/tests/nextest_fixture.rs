//! The fixture tests (`tests/fixture/tests.rs`) as a nextest test binary, for the harness's own
//! nextest-level tests (`cargo nextest list/run` with filters, JUnit). Several of them fail on purpose,
//! so the binary lists and runs nothing unless `KINDTEST_FIXTURE=1` is set.

include!("fixture/tests.rs");

/// 50 trivial cluster tests for the overhead benchmark (`cluster.rs`, `bench::overhead`).
mod bench {
    macro_rules! trivial {
        ($($name:ident)*) => {$(
            #[kindtest::test]
            async fn $name(ctx: kindtest::Context) -> kindtest::Result<()> {
                assert!(ctx.namespace().starts_with("kt-"));
                Ok(())
            }
        )*};
    }
    trivial!(t00 t01 t02 t03 t04 t05 t06 t07 t08 t09 t10 t11 t12 t13 t14 t15 t16 t17 t18 t19
             t20 t21 t22 t23 t24 t25 t26 t27 t28 t29 t30 t31 t32 t33 t34 t35 t36 t37 t38 t39
             t40 t41 t42 t43 t44 t45 t46 t47 t48 t49);
}

/// 20 tests that each create objects with the same names and check that they see only their own
/// (run in parallel by the driver test in `cluster.rs`).
mod isolation {
    use std::time::Duration;

    use kindtest::k8s_openapi::api::core::v1::ConfigMap;

    async fn check(ctx: kindtest::Context) -> kindtest::Result<()> {
        let me = ctx.test_name().to_string();
        ctx.apply(&format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\ndata:\n  owner: {me}\n"
        ))
        .await?;
        // Stay a while so the 20 tests overlap, then look at what this namespace holds.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let cms = ctx.api::<ConfigMap>().list(&Default::default()).await?;
        // kube-root-ca.crt is published into every namespace by the controller-manager.
        let names: Vec<String> = cms
            .items
            .iter()
            .filter_map(|c| c.metadata.name.clone())
            .filter(|n| n != "kube-root-ca.crt")
            .collect();
        assert_eq!(names, ["mine"], "objects in {}", ctx.namespace());
        let mine = cms
            .items
            .iter()
            .find(|c| c.metadata.name.as_deref() == Some("mine"));
        let owner = mine
            .and_then(|c| c.data.as_ref())
            .and_then(|d| d.get("owner"))
            .cloned();
        assert_eq!(
            owner.as_deref(),
            Some(me.as_str()),
            "another test's object leaked in"
        );
        Ok(())
    }

    macro_rules! iso {
        ($($name:ident)*) => {$(
            #[kindtest::test]
            async fn $name(ctx: kindtest::Context) -> kindtest::Result<()> {
                check(ctx).await
            }
        )*};
    }
    iso!(iso_00 iso_01 iso_02 iso_03 iso_04 iso_05 iso_06 iso_07 iso_08 iso_09
         iso_10 iso_11 iso_12 iso_13 iso_14 iso_15 iso_16 iso_17 iso_18 iso_19);
}

fn main() {
    kindtest::__private::run_main_if(std::env::var("KINDTEST_FIXTURE").as_deref() == Ok("1"))
}
