//! Reads YAML from stdin and prints the JSON view (`--json`, default), the goyaml.v2
//! re-emission (`--yaml`), or the Helm `toYaml` of it (`--helm`: numbers become float64).
use std::io::Read;

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "--json".into());
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("read error: {e}");
        std::process::exit(2);
    }
    let opts = goyaml::ParseOptions {
        strict: std::env::var("YAMLCAT_STRICT").is_ok(),
        ..Default::default()
    };
    let node = match goyaml::check_utf8(&input).and_then(|t| goyaml::parse_with(t, &opts)) {
        Ok(n) => n,
        Err(e) => {
            println!("ERR {e} (at {:?})", e.span);
            return;
        }
    };
    match mode.as_str() {
        "--yaml" => print!("{}", goyaml::to_yaml_v2(&node.to_yaml())),
        _ => match goyaml::to_json_text(&node) {
            Ok(t) => println!("{t}"),
            Err(e) => println!("ERR {e}"),
        },
    }
}
