//! The constructor names a stream being written has introduced, and their indexes.

use smallvec::SmallVec;

use crate::registry::QuickMap;

/// Constructor names already in the stream, so that each is written once and referred to by
/// its index after that. A name usually comes from one constant, so it is looked up by the
/// address of its `&str` first; the same name may sit at several addresses (one per crate
/// that uses it), so a miss is looked up by text. A stream names few constructors, so they
/// are searched in order until there are more than `LINEAR`, then through maps.
#[derive(Default)]
pub(crate) struct Names<'a> {
    last: Option<((usize, usize), u64)>,
    /// In index order, for the table at the end of the stream: each name, with the compact
    /// code written in its place if it has one.
    pub(crate) in_order: SmallVec<[(&'a str, Option<u32>); 4]>,
    /// Built once the stream names more than `LINEAR` constructors.
    maps: Option<Box<NameMaps<'a>>>,
}

#[derive(Default)]
struct NameMaps<'a> {
    by_address: QuickMap<(usize, usize), u64>,
    by_text: QuickMap<&'a str, u64>,
}

const LINEAR: usize = 16;

fn address_of(name: &str) -> (usize, usize) {
    (name.as_ptr() as usize, name.len())
}

impl<'a> Names<'a> {
    pub(crate) fn get(&mut self, name: &'a str) -> Option<u64> {
        let address = address_of(name);
        if let Some((last, index)) = self.last {
            if last == address {
                return Some(index);
            }
        }
        let index = match &mut self.maps {
            Some(maps) => match maps.by_address.get(&address) {
                Some(&index) => index,
                None => {
                    let index = *maps.by_text.get(name)?;
                    maps.by_address.insert(address, index);
                    index
                }
            },
            None => {
                let same = |(n, _): &(&str, _)| address_of(n) == address;
                let position = match self.in_order.iter().position(same) {
                    Some(p) => p,
                    None => self.in_order.iter().position(|(n, _)| *n == name)?,
                };
                position as u64 + 1
            }
        };
        self.last = Some((address, index));
        Some(index)
    }

    pub(crate) fn insert(&mut self, name: &'a str, code: Option<u32>) -> u64 {
        self.in_order.push((name, code));
        let index = self.in_order.len() as u64;
        if self.maps.is_none() && self.in_order.len() > LINEAR {
            let mut maps = Box::<NameMaps<'a>>::default();
            for ((n, _), i) in self.in_order.iter().zip(1..) {
                maps.by_address.insert(address_of(n), i);
                maps.by_text.insert(n, i);
            }
            self.maps = Some(maps);
        } else if let Some(maps) = &mut self.maps {
            maps.by_address.insert(address_of(name), index);
            maps.by_text.insert(name, index);
        }
        index
    }
}

#[cfg(test)]
mod tests {
    use super::Names;

    #[test]
    fn one_name_at_two_addresses_gets_one_index() {
        let mut names = Names::default();
        let here: &'static str = "geo.Point";
        let elsewhere: &'static str = Box::leak(String::from("geo.Point").into_boxed_str());
        assert_ne!(here.as_ptr(), elsewhere.as_ptr());
        assert_eq!(names.get(here), None);
        assert_eq!(names.insert(here, None), 1);
        assert_eq!(names.get(elsewhere), Some(1));
        assert_eq!(names.get(here), Some(1));
        assert_eq!(names.insert("geo.Line", None), 2);
        assert_eq!(names.get("geo.Line"), Some(2));
        // A prefix at the same address is another name.
        assert_eq!(names.get(&here[..3]), None);
        // Past the linear search, a map takes over with the same answers.
        let many: Vec<String> = (0..40).map(|i| format!("n{i}")).collect();
        for name in &many {
            let index = names.insert(Box::leak(name.clone().into_boxed_str()), None);
            assert_eq!(
                names.get(Box::leak(name.clone().into_boxed_str())),
                Some(index)
            );
        }
        assert_eq!(names.get("geo.Line"), Some(2));
        assert_eq!(names.get("n0"), Some(3));
        assert_eq!(names.get(elsewhere), Some(1));
        assert_eq!(names.get(here), Some(1));
        assert_eq!(names.get(&here[..3]), None);
    }
}
