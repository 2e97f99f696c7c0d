#[derive(copyreg::Reducible)]
#[reducer(name = "shop.Order", python = "Order")]
struct Order {
    id: u64,
}

copyreg::register_foreign!(
    std::net::Ipv4Addr,
    reduce = |a: &std::net::Ipv4Addr| (u32::from(*a),),
    construct = std::net::Ipv4Addr::from,
    python = "ipaddress.IPv4 Address",
);

fn main() {}
