//! Which graphics adapter draws the window.
//!
//! wgpu's own choice takes the most powerful adapter of any backend. On Windows that is
//! Direct3D 12 (with a GPU driver, or Windows' own software adapter, WARP, without one), then
//! Vulkan, then OpenGL: kept as it is on Windows. Under Wine (the Windows build tried on
//! Linux), Direct3D 12 goes through vkd3d, which loses its device at the first frame ("Parent
//! device is lost"): there Vulkan comes first (the host's driver, or Mesa's lavapipe), then
//! OpenGL, and Direct3D 12 last. `WGPU_BACKEND` (vulkan, dx12, gl) still narrows the choice.

use std::sync::Arc;

use eframe::egui_wgpu::NativeAdapterSelectorMethod;
use eframe::wgpu::{Adapter, Backend, DeviceType};

/// The order of the backends: the first one with an adapter that can draw in the window wins.
pub fn backend_order(under_wine: bool) -> [Backend; 4] {
    if under_wine {
        [Backend::Vulkan, Backend::Gl, Backend::Metal, Backend::Dx12]
    } else {
        [Backend::Dx12, Backend::Metal, Backend::Vulkan, Backend::Gl]
    }
}

/// Within a backend: a GPU of its own, then one shared with the processor, then a virtual
/// one, then a software rasteriser (WARP, lavapipe, llvmpipe).
fn device_rank(device_type: DeviceType) -> u8 {
    match device_type {
        DeviceType::DiscreteGpu => 0,
        DeviceType::IntegratedGpu => 1,
        DeviceType::VirtualGpu => 2,
        DeviceType::Cpu => 3,
        DeviceType::Other => 4,
    }
}

/// The index of the adapter to use among `adapters` (backend and kind of each, those that
/// can draw in the window), or `None` when there is none.
pub fn choose(adapters: &[(Backend, DeviceType)], under_wine: bool) -> Option<usize> {
    let order = backend_order(under_wine);
    adapters
        .iter()
        .enumerate()
        .filter_map(|(index, (backend, device_type))| {
            let backend_rank = order.iter().position(|b| b == backend)?;
            Some(((backend_rank, device_rank(*device_type)), index))
        })
        .min()
        .map(|(_, index)| index)
}

/// Whether this Windows program runs under Wine: every Wine prefix has Wine's own settings
/// program, `winecfg.exe`, in its `system32`, and no Windows has.
pub fn under_wine() -> bool {
    cfg!(windows)
        && std::env::var_os("SystemRoot")
            .map(std::path::PathBuf::from)
            .is_some_and(|root| root.join("system32").join("winecfg.exe").is_file())
}

/// eframe's adapter selector: [`choose`] among the adapters that can draw in the window, said
/// in the log.
pub fn selector() -> NativeAdapterSelectorMethod {
    Arc::new(|adapters: &[Adapter], surface| {
        let usable: Vec<&Adapter> = adapters
            .iter()
            .filter(|adapter| surface.is_none_or(|surface| adapter.is_surface_supported(surface)))
            .collect();
        let kinds: Vec<(Backend, DeviceType)> = usable
            .iter()
            .map(|adapter| {
                let info = adapter.get_info();
                (info.backend, info.device_type)
            })
            .collect();
        let wine = under_wine();
        let Some(index) = choose(&kinds, wine) else {
            let found: Vec<String> = adapters
                .iter()
                .map(|adapter| {
                    let info = adapter.get_info();
                    format!("{} ({:?})", info.name, info.backend)
                })
                .collect();
            return Err(format!(
                "no graphics adapter can draw the window (found: {})",
                if found.is_empty() {
                    "none".to_string()
                } else {
                    found.join(", ")
                }
            ));
        };
        let adapter = usable[index];
        let info = adapter.get_info();
        tracing::info!(
            adapter = %info.name,
            backend = ?info.backend,
            kind = ?info.device_type,
            under_wine = wine,
            "graphics adapter"
        );
        Ok(adapter.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_windows_direct3d_12_comes_first_even_in_software() {
        let adapters = [
            (Backend::Vulkan, DeviceType::DiscreteGpu),
            (Backend::Gl, DeviceType::IntegratedGpu),
            (Backend::Dx12, DeviceType::Cpu),
        ];
        assert_eq!(choose(&adapters, false), Some(2));
        let with_gpu = [
            (Backend::Dx12, DeviceType::Cpu),
            (Backend::Dx12, DeviceType::IntegratedGpu),
            (Backend::Dx12, DeviceType::DiscreteGpu),
        ];
        assert_eq!(choose(&with_gpu, false), Some(2));
    }

    #[test]
    fn under_wine_vulkan_then_opengl_then_direct3d_12() {
        let adapters = [
            (Backend::Dx12, DeviceType::DiscreteGpu),
            (Backend::Gl, DeviceType::Cpu),
            (Backend::Vulkan, DeviceType::Cpu),
        ];
        assert_eq!(choose(&adapters, true), Some(2));
        assert_eq!(choose(&adapters[..2], true), Some(1));
        assert_eq!(choose(&adapters[..1], true), Some(0));
    }

    #[test]
    fn without_an_adapter_there_is_no_choice() {
        assert_eq!(choose(&[], false), None);
        assert_eq!(choose(&[(Backend::Noop, DeviceType::Cpu)], false), None);
    }

    #[test]
    fn this_program_knows_whether_it_runs_under_wine() {
        // Linux and macOS never run under Wine; the Windows build of the tests runs under Wine
        // on the CI machine, whose runner (installer/windows/wine/run) says so.
        if cfg!(windows) {
            assert_eq!(
                under_wine(),
                std::env::var_os("HOSTING_CONSOLE_UNDER_WINE").is_some()
            );
        } else {
            assert!(!under_wine());
        }
    }
}
